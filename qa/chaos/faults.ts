import { setTimeout as sleep } from 'node:timers/promises';
import type { Deployment } from './deploy/deployment.js';
import type { ModeSpec } from './modes.js';

export const FAULT_NAMES = ['none', 'restart', 'kill', 'redis-stop', 'redis-kill', 'broker-restart'] as const;
export type FaultName = (typeof FAULT_NAMES)[number];

/** What a fault did and how long the deployment took to recover. Times in ms. */
export interface FaultReport {
  fault: FaultName;
  /** The process it hit (`svc-a`, `redis-server`, `mosquitto`), or null for `none`. */
  target: string | null;
  action: string;
  /** When it started, in ms since the run's start, and the cars' counts at that moment. */
  atMs: number;
  ackedAtStart: number;
  sentAtStart: number;
  /** Signal to process gone (service faults). */
  exitMs?: number;
  /** How long the target was out of service: process gone, frozen, or broker down until it listens again. */
  downMs?: number;
  /** From the fault's start until every instance answers /readyz 200 again (null: not within the limit). */
  readyAfterMs: number | null;
  notes: string[];
}

export interface FaultDef {
  name: FaultName;
  summary: string;
  /** Why this fault means nothing for `mode` (so it is skipped), or null when it applies. */
  notApplicable(mode: ModeSpec): string | null;
  inject(dep: Deployment, report: FaultReport): Promise<void>;
}

/** How long a frozen or killed Redis stays out (issue: "Redis stopped 3 s"). */
export const REDIS_OUTAGE_MS = 3_000;
/** How long Mosquitto stays down between its graceful stop and its start. */
export const BROKER_DOWN_MS = 1_000;
const READY_LIMIT_MS = 60_000;

const needsRedis = (m: ModeSpec) => (m.redis ? null : 'no Redis in this mode');
const needsDurableState = (m: ModeSpec) => (m.redis ? null : 'in-memory state does not outlive its process by design');

async function restartService(dep: Deployment, report: FaultReport, signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
  const svc = dep.services[0]!;
  report.target = svc.name;
  const t0 = performance.now();
  const { exitMs, forced } = await svc.kill(signal);
  report.exitMs = exitMs;
  if (forced) report.notes.push(`${svc.name} did not exit within 10 s of SIGTERM and was SIGKILLed`);
  await svc.restart();
  report.downMs = Math.round(performance.now() - t0 - exitMs);
  report.readyAfterMs = await readyAfter(dep, t0);
}

async function readyAfter(dep: Deployment, t0: number): Promise<number | null> {
  const waited = await dep.waitAllReady(READY_LIMIT_MS);
  return waited === null ? null : Math.round(performance.now() - t0);
}

/** The faults, each injected once per run when about half the events are acknowledged. */
export const FAULTS: Record<FaultName, FaultDef> = {
  none: {
    name: 'none',
    summary: 'no fault: the load itself is the stress',
    notApplicable: () => null,
    async inject(_dep, report) {
      report.action = 'nothing';
      report.readyAfterMs = 0;
    },
  },
  restart: {
    name: 'restart',
    summary: 'SIGTERM the first service instance, wait for it to exit, start it again (same env and ports)',
    notApplicable: needsDurableState,
    inject: (dep, report) => {
      report.action = 'SIGTERM, wait for exit, start';
      return restartService(dep, report, 'SIGTERM');
    },
  },
  kill: {
    name: 'kill',
    summary: 'SIGKILL the first service instance, start it again (same env and ports)',
    notApplicable: needsDurableState,
    inject: (dep, report) => {
      report.action = 'SIGKILL, start';
      return restartService(dep, report, 'SIGKILL');
    },
  },
  'redis-stop': {
    name: 'redis-stop',
    summary: `SIGSTOP redis-server for ${REDIS_OUTAGE_MS / 1000} s, then SIGCONT (a frozen Redis)`,
    notApplicable: needsRedis,
    async inject(dep, report) {
      const redis = dep.redis!;
      report.target = 'redis-server';
      report.action = `SIGSTOP, ${REDIS_OUTAGE_MS} ms, SIGCONT`;
      const t0 = performance.now();
      redis.freeze();
      try {
        await sleep(REDIS_OUTAGE_MS);
      } finally {
        redis.thaw();
      }
      report.downMs = Math.round(performance.now() - t0);
      report.readyAfterMs = await readyAfter(dep, t0);
    },
  },
  'redis-kill': {
    name: 'redis-kill',
    summary: `SIGKILL redis-server, start it again after ${REDIS_OUTAGE_MS / 1000} s on the same port with the same append-only file`,
    notApplicable: needsRedis,
    async inject(dep, report) {
      const redis = dep.redis!;
      report.target = 'redis-server';
      report.action = `SIGKILL, ${REDIS_OUTAGE_MS} ms, start (same port, same AOF)`;
      const t0 = performance.now();
      await redis.kill();
      await sleep(REDIS_OUTAGE_MS);
      await redis.start();
      report.downMs = Math.round(performance.now() - t0);
      report.readyAfterMs = await readyAfter(dep, t0);
    },
  },
  'broker-restart': {
    name: 'broker-restart',
    summary: `graceful Mosquitto restart (SIGTERM, it saves its persistence; ${BROKER_DOWN_MS} ms down; same port)`,
    notApplicable: (m) => (m.broker === 'mosquitto' ? null : 'no external broker in this mode (the embedded broker restarts with its service: see restart/kill)'),
    async inject(dep, report) {
      const broker = dep.mosquitto!;
      report.target = 'mosquitto';
      report.action = `SIGTERM, ${BROKER_DOWN_MS} ms, start (same port, same persistence)`;
      const t0 = performance.now();
      await broker.restart(BROKER_DOWN_MS);
      report.downMs = Math.round(performance.now() - t0);
      report.readyAfterMs = await readyAfter(dep, t0);
    },
  },
};
