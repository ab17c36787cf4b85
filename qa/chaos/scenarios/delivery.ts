import { setTimeout as sleep } from 'node:timers/promises';
import { readCases, tally, type LostEvent, type Tally } from '../count.js';
import type { Deployment } from '../deploy/deployment.js';
import { FAULT_NAMES, FAULTS, type FaultName, type FaultReport } from '../faults.js';
import { Load } from '../load/load.js';
import type { ModeSpec } from '../modes.js';
import { deliveryFailures, runOnDeployment } from './frame.js';
import type { RunContext, RunResult, ScenarioKind } from './kind.js';

/**
 * The fault matrix: N cars send M airbag events at QoS 1; when about half are acknowledged a fault hits
 * the deployment; afterwards every acknowledged event must have exactly one case.
 */
export const faultKind: ScenarioKind = {
  kind: 'fault',
  variants: FAULT_NAMES,
  describe: (variant) => FAULTS[variant as FaultName].summary,
  notApplicable: (mode, variant) => FAULTS[variant as FaultName].notApplicable(mode),
  run: runFaultScenario,
};

const CONNECT_TIMEOUT_MS = 30_000;

function runFaultScenario(mode: ModeSpec, variant: string, ctx: RunContext): Promise<RunResult> {
  const { params } = ctx;
  const fault = FAULTS[variant as FaultName];
  return runOnDeployment('fault', mode, variant, ctx, {}, async ({ dep, r, t0, since }) => {
    const load = new Load(params, dep.carUrl, t0);
    const unload = ctx.onCleanup(() => load.end());
    const monitor = watchInstances(dep, r, since);
    try {
      await load.connectAll(CONNECT_TIMEOUT_MS);
      r.timings.connectedAtMs = since();
      abortable(ctx);

      const { ledger } = load;
      const threshold = Math.max(1, Math.ceil(params.events * params.faultAt));
      const loadDone = load.run();
      const report: FaultReport = { fault: fault.name, target: null, action: '', atMs: 0, ackedAtStart: 0, sentAtStart: 0, readyAfterMs: null, notes: [] };
      r.fault = report;
      const reached = await ledger.waitFor(() => ledger.acknowledged >= threshold || ctx.signal.aborted, (params.burst ? 0 : params.paceMs) + 30_000);
      abortable(ctx);
      if (!reached) report.notes.push(`only ${ledger.acknowledged} of the ${threshold} acknowledgements awaited came; fault injected anyway`);
      report.atMs = ledger.now();
      report.ackedAtStart = ledger.acknowledged;
      report.sentAtStart = ledger.sent;
      monitor.pause();
      await fault.inject(dep, report);
      monitor.resume();
      const faultEndMs = ledger.now();
      r.timings.faultAtMs = report.atMs;
      r.timings.faultEndMs = faultEndMs;
      if (report.readyAfterMs === null) r.failures.push(`the deployment was not ready again within 60 s of the ${fault.name}`);
      await loadDone;
      r.timings.loadStartMs = load.startedAtMs;
      r.timings.loadEndMs = load.finishedAtMs;
      abortable(ctx);

      // Every car's outstanding publishes: acknowledged (or failed) by the deadline, else unacknowledged.
      const ackStart = performance.now();
      const allSettled = await ledger.waitFor(() => ledger.settled >= ledger.sent || ctx.signal.aborted, params.ackDeadlineMs);
      r.timings.ackWaitMs = Math.round(performance.now() - ackStart);
      if (!allSettled) r.notes.push(`${ledger.sent - ledger.settled} publishes still without a callback ${params.ackDeadlineMs} ms after the load and the fault`);
      ledger.freeze();
      const pubacksOnWire = load.pubacksOnWire();
      const reconnects = load.reconnects();
      await load.end();
      abortable(ctx);

      const settleStart = performance.now();
      const counted = await countSettled(dep, load, params.settleMs, r.notes, ctx.signal);
      r.timings.settleMs = Math.round(performance.now() - settleStart);
      r.delivery = counted.counts;
      r.lostEvents = counted.lost.map((e) => phaseOf(e, report, faultEndMs));
      r.duplicatedEvents = counted.duplicated;
      r.timings.reconnects = reconnects;
      r.timings.pubacksOnWire = pubacksOnWire;
      r.timings.lateCallbacks = ledger.lateCallbacks;

      const c = counted.counts;
      r.failures.push(...deliveryFailures(c, 'events'));
      if (c.doubleCallbacks > 0) r.failures.push(`${c.doubleCallbacks} publish callbacks fired more than once (accounting anomaly)`);
      if (c.acknowledged > pubacksOnWire) r.failures.push(`${c.acknowledged} acknowledged but only ${pubacksOnWire} PUBACKs on the wire (accounting anomaly)`);
      if (c.vinMismatches > 0) r.failures.push(`${c.vinMismatches} cases carry an eventId of another car`);
    } finally {
      monitor.stop();
      r.failures.push(...monitor.failures);
      unload();
      await load.end();
    }
  });
}

function abortable(ctx: RunContext): void {
  if (ctx.signal.aborted) throw new Error(String(ctx.signal.reason ?? 'aborted'));
}

/**
 * Reads the cases until every acknowledged event has one (confirmed by a second read 1 s later), or
 * `settleMs` passes. An event durably queued for the service is not lost: while the count still grows
 * at the deadline the wait goes on, up to 4 × `settleMs`, and the note says so.
 */
async function countSettled(dep: Deployment, load: Load, settleMs: number, notes: string[], signal: AbortSignal): Promise<Tally> {
  const start = performance.now();
  let deadline = start + settleMs;
  const hardDeadline = start + 4 * settleMs;
  let last: Tally | undefined;
  let lastError: unknown;
  let confirmed = false;
  while (!signal.aborted) {
    try {
      const url = await dep.readableHttpUrl(notes);
      const before = last?.counts.committed ?? -1;
      last = tally(load.ledger, await readCases(url));
      if (last.counts.lost === 0) {
        if (confirmed) break;
        confirmed = true;
        await sleep(1_000);
        continue;
      }
      confirmed = false;
      const now = performance.now();
      if (now > deadline && last.counts.committed > before && before >= 0 && now < hardDeadline) {
        deadline = Math.min(now + 2_000, hardDeadline);
        if (!notes.includes('cases were still being committed at the settle deadline; waited longer')) {
          notes.push('cases were still being committed at the settle deadline; waited longer');
        }
      }
    } catch (err) {
      lastError = err;
    }
    if (performance.now() > deadline) break;
    await sleep(500);
  }
  if (!last) throw new Error(`could not read the cases: ${lastError instanceof Error ? lastError.message : String(lastError)}`);
  return last;
}

function phaseOf(e: { eventId: string; vin: string; index: number; sentAtMs: number | null; ackedAtMs: number | null; transmissions: number }, f: FaultReport, faultEndMs: number): LostEvent {
  const at = e.ackedAtMs ?? 0;
  const phase: LostEvent['phase'] = f.fault === 'none' ? 'no-fault' : at < f.atMs ? 'before-fault' : at <= faultEndMs ? 'during-fault' : 'after-fault';
  return { eventId: e.eventId, vin: e.vin, index: e.index, sentAtMs: e.sentAtMs, ackedAtMs: e.ackedAtMs, transmissions: e.transmissions, phase };
}

/**
 * An instance that dies outside the fault's window is a failure of the run; like a supervisor
 * (systemd `Restart=always`) the watcher starts it again so the rest of the run still measures.
 */
function watchInstances(dep: Deployment, r: RunResult, since: () => number) {
  const failures: string[] = [];
  let paused = false;
  let busy = false;
  const timer = setInterval(() => {
    if (paused || busy) return;
    for (const s of dep.services) {
      if (s.running) continue;
      busy = true;
      failures.push(`${s.name} exited unexpectedly at ${since()} ms`);
      r.notes.push(`${s.name} exited unexpectedly at ${since()} ms; started again`);
      void s
        .restart()
        .catch((err: Error) => r.notes.push(`${s.name} did not start again: ${err.message}`))
        .finally(() => (busy = false));
      return;
    }
  }, 250);
  return {
    failures,
    pause: () => (paused = true),
    resume: () => (paused = false),
    stop: () => clearInterval(timer),
  };
}
