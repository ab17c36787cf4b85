import { performance } from 'node:perf_hooks';
import { SystemClock } from '../lib/clock/index.js';
import { Fleet, type FleetMember } from '../simulator/fleet/index.js';
import type { FeedWatch } from './support/feed-watch.js';
import { latencyHistogram, summarize, type LatencySummary } from './support/hist.js';

/** Issue 15: n cars each fire one crash, unpaced; how fast the whole burst reaches the feed. */
export interface BurstResult {
  crashes: number;
  /** Cars of the run's fleet that had not crashed yet, and cars connected for the burst only (no telemetry). */
  fromFleet: number;
  toppedUp: number;
  /** First publish handed to the cars' clients until the last one was (the simulator's own pace). */
  publishSpanMs: number;
  /** First publish until every case was on the operator feed; null when some never came. */
  allOnFeedMs: number | null;
  /** Not on the feed within the wait. */
  lost: number;
  /** A second `case.opened` for an eventId already on the feed. */
  duplicated: number;
  casesPerSec: number;
  /** casesPerSec / the broker floor's QoS 1 throughput measured in the same run (same broker). */
  vsFloorThroughput: number | null;
  latency: LatencySummary;
  /**
   * CPU time of the deployment's processes (all of them: service, broker, Redis) from the first publish
   * until the last case was on the feed, per case; the fleet's telemetry meanwhile is in it too.
   */
  cpuMsPerCase: number | null;
  /** Close codes of the bench's feed socket during the burst (1013: too slow; it resumes with `since`, or takes a snapshot). */
  feedCloseCodes: number[];
  /** Cases of the burst that reached the bench's feed client only inside a snapshot (after a resume too old for `since`). */
  inSnapshot: number;
}

export interface BurstParams {
  size: number;
  seed: number;
  mqttUrl: string;
  floorPerSec: number | undefined;
  /** CPU time used so far by the deployment's processes, in ms (/proc). */
  cpuMs: () => number;
  log: (m: string) => void;
}

/**
 * Fires `size` airbag events, one per car that has not crashed, all handed to the cars' MQTT clients
 * in one loop (no pacing: the simulator and TCP set the pace). A real car crashes once, and a second
 * crash of a car with an open case opens none, so when the fleet has fewer fresh cars than `size`
 * (steady and storm took theirs) fresh cars are connected first (another seed's VINs, no telemetry)
 * and stopped after. Lost: not on the feed after the wait; duplicated: a second case for one event.
 */
export async function runBurst(fleet: Fleet, watch: FeedWatch, p: BurstParams): Promise<BurstResult> {
  const fresh = fleet.members.filter((m) => !m.crashed && m.car.connected).slice(0, p.size);
  const missing = p.size - fresh.length;
  let extra: Fleet | undefined;
  try {
    const members: FleetMember[] = [...fresh];
    if (missing > 0) {
      extra = new Fleet({ url: p.mqttUrl, clock: new SystemClock(), cars: missing, seed: p.seed + 1, telemetryHz: 0, drive: false, rampPerSec: 2000, maxPendingConnects: 512 });
      const c0 = performance.now();
      const got = await extra.connectAll();
      p.log(`burst: ${fresh.length} fresh cars in the fleet; ${got.connected} more connected for it in ${Math.round(performance.now() - c0)} ms (${got.failed} failed)`);
      members.push(...extra.members.filter((m) => m.car.connected));
    }
    await new Promise((r) => setTimeout(r, 500)); // the connects' retained messages and subscriptions settle
    const hist = latencyHistogram();
    const ids: string[] = [];
    const dup0 = watch.duplicated;
    const closes0 = watch.closeCodes.length;
    const snap0 = watch.fromSnapshot;
    const cpu0 = p.cpuMs();
    const t0 = performance.now();
    for (const m of members) {
      const eventId = `bench-burst-${m.car.vin}`;
      m.crashed = true;
      watch.expect(eventId, hist);
      ids.push(eventId);
      m.car.airbag({ eventId }).catch(() => {});
    }
    const publishSpanMs = performance.now() - t0;
    // Bounded: a minute, or 20 ms a crash for a big burst on a slow mode.
    const lost = await watch.settle(ids, Math.max(60_000, ids.length * 20));
    const lastArrival = watch.lastArrival;
    const cpuMs = p.cpuMs() - cpu0;
    await new Promise((r) => setTimeout(r, 500)); // a duplicate would come right after
    const duplicated = watch.duplicated - dup0;
    watch.forget(ids);
    const allOnFeedMs = lost === 0 && ids.length > 0 ? Math.round(lastArrival - t0) : null;
    const casesPerSec = Math.round((ids.length - lost) / (Math.max(1, lastArrival - t0) / 1000));
    const latency = summarize(hist);
    hist.destroy();
    return {
      crashes: ids.length,
      fromFleet: fresh.length,
      toppedUp: members.length - fresh.length,
      publishSpanMs: Math.round(publishSpanMs),
      allOnFeedMs,
      lost,
      duplicated,
      casesPerSec,
      vsFloorThroughput: p.floorPerSec ? Math.round((casesPerSec / p.floorPerSec) * 1000) / 1000 : null,
      latency,
      cpuMsPerCase: ids.length > lost ? Math.round((cpuMs / (ids.length - lost)) * 100) / 100 : null,
      feedCloseCodes: watch.closeCodes.slice(closes0),
      inSnapshot: watch.fromSnapshot - snap0,
    };
  } finally {
    await extra?.stop().catch(() => {});
  }
}
