import { startServiceProcess, type ServiceProcess } from '../../../lib/process/service-process.js';
import { ownChildren, pidAlive } from './children.js';

/** One incident-service instance (`node --import tsx cli/start.ts`) with fixed ports for the run. */
export interface ChaosService {
  readonly name: string;
  readonly httpUrl: string;
  /** The embedded broker's port (same after every restart), or null on an external broker. */
  readonly mqttPort: number | null;
  readonly env: Readonly<Record<string, string>>;
  readonly pid: number | undefined;
  alive(): boolean;
  /** Sends `signal` and waits for the process to end; `forced` when it outlived the helper's 10 s grace. */
  stop(signal: NodeJS.Signals): Promise<{ exitMs: number; forced: boolean }>;
  /** Starts it again with the same environment and ports; resolves once /readyz answers 200. */
  start(): Promise<{ readyMs: number }>;
  ready(timeoutMs?: number): Promise<boolean>;
  logTail(chars?: number): string;
  close(): Promise<void>;
}

/**
 * Wraps lib/process/service-process.ts (start, signal, restart with the same env and HTTP port,
 * readiness on /readyz) and adds what chaos needs: the pid (read from /proc by the HTTP port the helper
 * chose), liveness, and timings.
 */
export async function startChaosService(name: string, env: Record<string, string>, mqttPort: number | null): Promise<ChaosService> {
  const fullEnv = { ...env, ...(mqttPort !== null ? { MQTT_PORT: String(mqttPort) } : {}) };
  const proc: ServiceProcess = await startServiceProcess(name, fullEnv);
  const httpPort = new URL(proc.httpUrl).port;
  let pid = findPid(httpPort);
  const service: ChaosService = {
    name,
    httpUrl: proc.httpUrl,
    mqttPort,
    env: fullEnv,
    get pid() {
      return pid;
    },
    alive: () => pidAlive(pid),
    async stop(signal) {
      const t0 = performance.now();
      await proc.kill(signal);
      // The helper sends SIGKILL after 10 s without waiting for it to land: wait here.
      const deadline = performance.now() + 5_000;
      while (pidAlive(pid) && performance.now() < deadline) await sleep(20);
      const exitMs = Math.round(performance.now() - t0);
      return { exitMs, forced: signal !== 'SIGKILL' && exitMs >= 9_900 };
    },
    async start() {
      const t0 = performance.now();
      await proc.restart();
      pid = findPid(httpPort);
      return { readyMs: Math.round(performance.now() - t0) };
    },
    ready: (timeoutMs = 1_000) => isReady(proc.httpUrl, timeoutMs),
    logTail: (chars = 3_000) => proc.log().slice(-chars),
    close: () => proc.close(),
  };
  return service;
}

function findPid(httpPort: string): number | undefined {
  return ownChildren().find((c) => c.argv.includes('cli/start.ts') && c.env.includes(`HTTP_PORT=${httpPort}`))?.pid;
}

/** GET /readyz answers 200 within `timeoutMs` (a frozen Redis can make it hang: that is "not ready"). */
export async function isReady(httpUrl: string, timeoutMs = 1_000): Promise<boolean> {
  try {
    const res = await fetch(`${httpUrl}/readyz`, { signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
