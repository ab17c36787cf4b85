import { loadavg } from 'node:os';
import { readCases, tally, type DeliveryCounts } from '../count.js';
import { deploy, type DeployOptions, type Deployment } from '../deploy/deployment.js';
import type { FeedWatch } from '../load/feed.js';
import type { EventRecord } from '../load/ledger.js';
import type { Load } from '../load/load.js';
import type { ModeSpec } from '../modes.js';
import { newResult, type Check, type RunContext, type RunResult } from './kind.js';

/** What every scenario kind's run does around its own part. */
export interface RunFrame {
  dep: Deployment;
  r: RunResult;
  /** performance.now() at the run's start: the ledger's zero. */
  t0: number;
  /** ms since t0. */
  since(): number;
}

/**
 * Deploys `mode` (with `opts`, e.g. a scenario's environment), runs `body`, and always tears down: an
 * error becomes the run's failure, the service logs' tails are kept when the run is not ok, and the
 * run is ok when nothing failed. `body` ends what it started itself (cars, listeners) in its own finally.
 */
export async function runOnDeployment(kind: string, mode: ModeSpec, variant: string, ctx: RunContext, opts: DeployOptions, body: (frame: RunFrame) => Promise<void>): Promise<RunResult> {
  const r = newResult(kind, mode, variant, ctx.run);
  const t0 = performance.now();
  const since = () => Math.round(performance.now() - t0);
  r.loadAverage = loadavg().map((x) => Math.round(x * 100) / 100);
  const dep = await deploy(mode, opts);
  const undeploy = ctx.onCleanup(() => dep.close());
  r.deployment = dep.describe();
  r.timings.deployMs = since();
  try {
    await body({ dep, r, t0, since });
  } catch (err) {
    r.error = err instanceof Error ? err.message : String(err);
    r.failures.push(`run error: ${r.error}`);
  } finally {
    if (r.failures.length > 0) r.logTails = Object.fromEntries(dep.services.map((s) => [s.name, s.log().slice(-2_500)]));
    undeploy();
    await dep.close();
    r.ok = r.failures.length === 0;
    r.wallMs = since();
  }
  return r;
}

/** The delivery promise broken, one line each: lost, duplicated, never acknowledged. */
export function deliveryFailures(c: DeliveryCounts, what: string): string[] {
  const out: string[] = [];
  if (c.lost > 0) out.push(`${c.lost} acknowledged ${what} have no case`);
  if (c.duplicated > 0) out.push(`${c.duplicated} ${what} have more than one case`);
  if (c.unacknowledged > 0) out.push(`${c.unacknowledged} ${what} were never acknowledged within the deadline`);
  return out;
}

/** Send-to-feed times in ms (the cars' clock), sorted: each record's first feed message showing its case. */
export function feedTimes(records: EventRecord[], feed: FeedWatch) {
  const seen = records
    .map((c) => {
      const at = feed.openedAt.get(c.eventId);
      return at === undefined || c.sentAtPerf === undefined ? null : at - c.sentAtPerf;
    })
    .filter((x): x is number => x !== null)
    .sort((a, b) => a - b);
  const pct = (q: number) => (seen.length ? Math.round(seen[Math.min(seen.length - 1, Math.floor(q * seen.length))]!) : null);
  const max = seen.length ? Math.round(seen.at(-1)!) : null;
  return { seen, p50: pct(0.5), p99: pct(0.99), max, text: `${seen.length} of ${records.length} on the feed; p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms, max ${max} ms` };
}

/** After the load: every outstanding publish gets `ackDeadlineMs` for its callback, then the ledger is frozen. */
export async function settleAcks(load: Load, ctx: RunContext, r: RunResult): Promise<void> {
  const { ledger } = load;
  await ledger.waitFor(() => ledger.settled >= ledger.sent || ctx.signal.aborted, ctx.params.ackDeadlineMs);
  ledger.freeze();
  r.timings.reconnects = load.reconnects();
  r.timings.pubacksOnWire = load.pubacksOnWire();
}

/**
 * Reads the cases once and counts the records `include` selects (no fault: one read after the feed
 * showed them): the run's delivery counts, lost and duplicated events, and their failures.
 */
export async function countOnce(dep: Deployment, load: Load, r: RunResult, include: (x: EventRecord) => boolean, what: string) {
  const cases = await readCases(await dep.readableHttpUrl(r.notes));
  const counted = tally(load.ledger, cases, include);
  r.delivery = counted.counts;
  r.lostEvents = counted.lost.map((e) => ({ eventId: e.eventId, vin: e.vin, index: e.index, sentAtMs: e.sentAtMs, ackedAtMs: e.ackedAtMs, transmissions: e.transmissions, phase: 'no-fault' }));
  r.duplicatedEvents = counted.duplicated;
  r.failures.push(...deliveryFailures(counted.counts, what));
  return cases;
}

/** The run's verdicts: every check that failed is a failure of the run. */
export function record(r: RunResult, checks: Check[]): void {
  r.checks.push(...checks);
  for (const c of checks) if (!c.ok) r.failures.push(`${c.name}: ${c.measured}`);
}
