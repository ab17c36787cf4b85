import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { SystemClock } from '../lib/clock/index.js';
import { Fleet, type FleetMember } from '../simulator/fleet/index.js';
import { deploy, type Deployment } from './deploy.js';
import type { ModeName } from './modes.js';
import { runBurst, type BurstResult } from './burst.js';
import { FeedWatch } from './support/feed-watch.js';
import { FloorProbe } from './support/floor-probe.js';
import { latencyHistogram, summarize, type LatencySummary } from './support/hist.js';
import { cpuMs, rssBytes } from '../lib/process/proc-fs.js';
import { counterByLabel } from '../lib/process/service-process.js';

export interface BenchParams {
  cars: number;
  rampPerSec: number;
  /** Connecting stops being waited for after this long; the rest of the mode runs with the cars connected by then. */
  connectDeadlineMs: number;
  /** Time after the last connect before memory is read and the steady window starts. */
  settleMs: number;
  steadyMs: number;
  crashesPerSec: number;
  stormSize: number;
  stormWindowMs: number;
  /** Issue 15: crashes fired at once (unpaced), one per car, after the storm; 0 leaves the burst out. */
  burstSize: number;
  /** Idle floor: paced QoS 1 messages. */
  floorCount: number;
  floorRatePerSec: number;
  /** Floor throughput: messages handed to the broker at once. */
  blastCount: number;
  seed: number;
}

export interface ModeResult {
  mode: ModeName;
  processes: Array<{ name: string; role: string; pid: number }>;
  ok: boolean;
  error?: string;
  /** Service processes that ended during the run without being asked to: the mode's figures are void. */
  unexpectedExits?: Array<{ name: string; code: number | null; signal: string | null; at: string; logTail: string }>;
  floor?: { idle: LatencySummary & { lost: number }; underLoad: LatencySummary; throughput: { count: number; lost: number; seconds: number; perSec: number } };
  connect?: { cars: number; connected: number; failed: number; seconds: number; deadlineHit: boolean };
  memory?: {
    measured: string;
    rssBeforeMb: number;
    rssAfterMb: number;
    perCarKb: number;
    byProcess: Array<{ name: string; beforeMb: number; afterMb: number }>;
  };
  steady?: {
    seconds: number;
    carsConnected: number;
    telemetryPerSec: number;
    crashes: number;
    lost: number;
    latency: LatencySummary;
    /**
     * The same crashes split at the case's `openedAt` (stamped by the service when it decides, wall clock,
     * 1 ms resolution): car -> broker -> queue in front of the service -> decide, and commit -> feed -> operator.
     */
    split: { toOpened: LatencySummary; toFeed: LatencySummary };
    /** Pipeline p50 / floor p50, both measured in the same window under the same load. */
    p50VsFloor: number | null;
    p99VsFloor: number | null;
    /** Pipeline p50 / idle floor p50 (measured before the cars connected). */
    p50VsIdleFloor: number | null;
    /** Feed sockets closed by the service during the run (1013 = too slow) and resumed with since. */
    feedCloseCodes: number[];
    cpu: { deploymentPctOfCore: number; byProcess: Array<{ name: string; pctOfCore: number }>; benchPctOfCore: number };
    benchEventLoopDelayP99Ms: number;
  };
  /** RSS of the whole deployment every 5 s, to see queues building up. */
  rssTimeline?: Array<{ atS: number; mb: number }>;
  storm?: {
    crashes: number;
    windowMs: number;
    publishSpanMs: number;
    allOnFeedMs: number | null;
    lost: number;
    casesPerSec: number;
    latency: LatencySummary;
  };
  /** Issue 15: `burstSize` cars each fire one crash as fast as the simulator publishes (bench/burst.ts). */
  burst?: BurstResult;
  /**
   * Each service instance's ingest counters at the end of the mode: failed tries by kind (a
   * `store_unavailable` try is a store command that failed or timed out, tried again) and dead letters.
   */
  ingest?: Array<{ url: string; failedTries: Record<string, number>; deadLetters: Record<string, number> }>;
}

async function ingestCounters(httpUrls: string[]): Promise<ModeResult['ingest']> {
  return Promise.all(
    httpUrls.map(async (url) => {
      const text = await (await fetch(`${url}/metrics`)).text();
      return { url, failedTries: counterByLabel(text, 'anshin_ingest_failures_total', 'kind'), deadLetters: counterByLabel(text, 'anshin_ingest_rejections_total', 'reason') };
    }),
  );
}

const mb = (bytes: number) => Math.round((bytes / 1048576) * 10) / 10;
const ratio = (a: number | null | undefined, b: number | null | undefined) => (a && b ? Math.round((a / b) * 100) / 100 : null);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs floor, memory, steady and storm against one mode; always stops what it started. */
export async function runMode(mode: ModeName, p: BenchParams, log: (m: string) => void, nodeArgs: string[] = [], env: Record<string, string> = {}): Promise<ModeResult> {
  let dep: Deployment | undefined;
  let fleet: Fleet | undefined;
  let watch: FeedWatch | undefined;
  let probe: FloorProbe | undefined;
  let stopSampler = () => {};
  const result: ModeResult = { mode, processes: [], ok: false };
  try {
    log(`[${mode}] starting`);
    dep = await deploy(mode, { nodeArgs, env });
    result.processes = dep.processes;
    watch = await FeedWatch.connect(dep.httpUrls[0]!);
    probe = await FloorProbe.connect(dep.mqttUrl);
    const rssTimeline: Array<{ atS: number; mb: number }> = [];
    const tStart = performance.now();
    const sampler = setInterval(() => {
      try {
        rssTimeline.push({ atS: Math.round((performance.now() - tStart) / 1000), mb: mb(dep!.processes.reduce((n, x) => n + rssBytes(x.pid), 0)) });
      } catch {
        // a process just exited
      }
    }, 5000);
    result.rssTimeline = rssTimeline;
    stopSampler = () => clearInterval(sampler);

    // Floor, idle: the broker with no car on it.
    await probe.paced(Math.min(100, p.floorCount), p.floorRatePerSec); // warm-up (JIT, buffers)
    probe.resetHistogram();
    const idle = await probe.paced(p.floorCount, p.floorRatePerSec);
    const idleSummary = { ...summarize(probe.hist), lost: idle.lost };
    const throughput = await probe.blast(p.blastCount);
    log(`[${mode}] floor idle p50 ${idleSummary.p50Ms} ms, p99 ${idleSummary.p99Ms} ms; ${Math.round(throughput.perSec)} msg/s`);

    // Memory before the cars, then connect them.
    await sleep(500);
    const before = dep.processes.map((proc) => rssBytes(proc.pid));
    const clock = new SystemClock();
    fleet = new Fleet({ url: dep.mqttUrl, clock, cars: p.cars, seed: p.seed, telemetryHz: 1, rampPerSec: p.rampPerSec, maxPendingConnects: 512 });
    const c0 = performance.now();
    let lastLog = 0;
    const connecting = fleet.connectAll((cp) => {
      if (performance.now() - lastLog > 5000) {
        lastLog = performance.now();
        log(`[${mode}] connecting: ${cp.connected}/${p.cars} (${cp.failed} failed)`);
      }
    });
    // A mode that cannot take the cars in time is measured with those it took (the table says how many).
    let deadline: NodeJS.Timeout | undefined;
    const progress = await Promise.race([
      connecting,
      new Promise<{ connected: number; failed: number }>((resolve) => {
        deadline = setTimeout(() => resolve({ connected: fleet!.connectedCount(), failed: fleet!.connectFailures }), p.connectDeadlineMs);
      }),
    ]);
    clearTimeout(deadline);
    const deadlineHit = progress.connected + progress.failed < p.cars;
    result.connect = { cars: p.cars, connected: progress.connected, failed: progress.failed, seconds: Math.round(performance.now() - c0) / 1000, deadlineHit };
    log(`[${mode}] ${progress.connected} cars connected in ${result.connect.seconds} s (${progress.failed} failed${deadlineHit ? '; connect deadline hit, going on with these' : ''})`);
    await sleep(p.settleMs);
    const after = dep.processes.map((proc) => rssBytes(proc.pid));
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    result.memory = {
      measured: `RSS of every process of the deployment (${dep.processes.map((x) => x.name).join(' + ')}), before the cars connect and ${p.settleMs / 1000} s after the last one did`,
      rssBeforeMb: mb(sum(before)),
      rssAfterMb: mb(sum(after)),
      perCarKb: Math.round(((sum(after) - sum(before)) / Math.max(1, progress.connected) / 1024) * 10) / 10,
      byProcess: dep.processes.map((proc, i) => ({ name: proc.name, beforeMb: mb(before[i]!), afterMb: mb(after[i]!) })),
    };

    // Steady: telemetry from every car, crashes sprinkled in, floor probes at the same rate alongside.
    probe.resetHistogram();
    const steadyHist = latencyHistogram();
    const crashIds: string[] = [];
    let n = 0;
    const split = { toOpened: latencyHistogram(), toFeed: latencyHistogram() };
    const fire = (m: FleetMember, hist: typeof steadyHist, tag: string): string => {
      const eventId = `bench-${tag}-${++n}`;
      m.crashed = true;
      watch!.expect(eventId, hist, tag === 'steady' ? split : undefined);
      m.car.airbag({ eventId }).catch(() => {});
      return eventId;
    };
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    const cpu0 = dep.processes.map((proc) => cpuMs(proc.pid));
    const bench0 = process.cpuUsage();
    const tele0 = fleet.summary().telemetrySent;
    const s0 = performance.now();
    const period = 1000 / p.crashesPerSec;
    for (let k = 0; performance.now() - s0 < p.steadyMs; k++) {
      const due = s0 + k * period - performance.now();
      if (due > 0) await sleep(due);
      const m = fleet.pickCar();
      if (m) crashIds.push(fire(m, steadyHist, 'steady'));
      probe.ping();
    }
    const seconds = (performance.now() - s0) / 1000;
    const cpu1 = dep.processes.map((proc) => cpuMs(proc.pid));
    const benchCpu = process.cpuUsage(bench0);
    const teleSent = fleet.summary().telemetrySent - tele0;
    loopDelay.disable();
    const lost = await watch.settle(crashIds, 15_000);
    watch.forget(crashIds);
    await sleep(200); // last floor probes
    const latency = summarize(steadyHist);
    const underLoad = summarize(probe.hist);
    result.floor = { idle: idleSummary, underLoad, throughput };
    const pct = (ms: number) => Math.round((ms / (seconds * 1000)) * 1000) / 10;
    result.steady = {
      seconds: Math.round(seconds * 10) / 10,
      carsConnected: fleet.connectedCount(),
      telemetryPerSec: Math.round(teleSent / seconds),
      crashes: crashIds.length,
      lost,
      latency,
      split: { toOpened: summarize(split.toOpened), toFeed: summarize(split.toFeed) },
      p50VsFloor: ratio(latency.p50Ms, underLoad.p50Ms),
      p99VsFloor: ratio(latency.p99Ms, underLoad.p99Ms),
      p50VsIdleFloor: ratio(latency.p50Ms, idleSummary.p50Ms),
      cpu: {
        deploymentPctOfCore: pct(sum(cpu1) - sum(cpu0)),
        byProcess: dep.processes.map((proc, i) => ({ name: proc.name, pctOfCore: pct(cpu1[i]! - cpu0[i]!) })),
        benchPctOfCore: pct((benchCpu.user + benchCpu.system) / 1000),
      },
      benchEventLoopDelayP99Ms: Math.round(loopDelay.percentile(99) / 1e4) / 100,
      feedCloseCodes: [...watch.closeCodes],
    };
    log(`[${mode}] steady ${result.steady.seconds} s: ${result.steady.telemetryPerSec} telemetry/s, ${crashIds.length} crashes, p50 ${latency.p50Ms} ms, p99 ${latency.p99Ms} ms, p99.9 ${latency.p999Ms} ms, lost ${lost}; floor p50 ${underLoad.p50Ms} ms`);

    // Storm: stormSize crashes from as many cars within stormWindowMs, in 10 even batches; telemetry goes on.
    const stormHist = latencyHistogram();
    const members = fleet.members.filter((m) => !m.crashed && m.car.connected).slice(0, p.stormSize);
    const stormIds: string[] = [];
    const batches = 10;
    const per = Math.ceil(members.length / batches);
    const t0 = performance.now();
    for (let b = 0; b < batches; b++) {
      const due = t0 + (b * p.stormWindowMs) / batches - performance.now();
      if (due > 0) await sleep(due);
      for (const m of members.slice(b * per, (b + 1) * per)) stormIds.push(fire(m, stormHist, 'storm'));
    }
    const publishSpanMs = performance.now() - t0;
    const stormLost = await watch.settle(stormIds, 60_000);
    watch.forget(stormIds);
    // No storm at all (every car already crashed in the steady window) has no time to report.
    const allOnFeedMs = stormLost === 0 && stormIds.length > 0 ? Math.round(watch.lastArrival - t0) : null;
    if (members.length < p.stormSize) log(`[${mode}] storm: only ${members.length} of ${p.stormSize} cars had not crashed yet`);
    result.storm = {
      crashes: stormIds.length,
      windowMs: p.stormWindowMs,
      publishSpanMs: Math.round(publishSpanMs),
      allOnFeedMs,
      lost: stormLost,
      casesPerSec: Math.round((stormIds.length - stormLost) / (Math.max(1, watch.lastArrival - t0) / 1000)),
      latency: summarize(stormHist),
    };
    log(`[${mode}] storm ${stormIds.length} crashes: all on the feed after ${allOnFeedMs} ms, lost ${stormLost}; feed closes ${watch.closeCodes.join(',') || 'none'}`);

    // Burst (issue 15): every crash handed to the cars' clients at once; the drain rate against the floor's.
    if (p.burstSize > 0) {
      const burst = await runBurst(fleet, watch, { size: p.burstSize, seed: p.seed, mqttUrl: dep.mqttUrl, floorPerSec: throughput.perSec, cpuMs: () => sum(dep!.processes.map((proc) => cpuMs(proc.pid))), log: (m) => log(`[${mode}] ${m}`) });
      result.burst = burst;
      log(
        `[${mode}] burst ${burst.crashes} crashes (published in ${burst.publishSpanMs} ms): all on the feed after ${burst.allOnFeedMs} ms, ${burst.casesPerSec} cases/s = ${burst.vsFloorThroughput}x the floor's ${Math.round(throughput.perSec)} msg/s; lost ${burst.lost}, duplicated ${burst.duplicated}; deployment CPU ${burst.cpuMsPerCase} ms a case; feed closes ${burst.feedCloseCodes.join(',') || 'none'}, ${burst.inSnapshot} cases seen in a snapshot`,
      );
    }
    result.ingest = await ingestCounters(dep.httpUrls);
    log(`[${mode}] ingest: ${(result.ingest ?? []).map((i) => `failed tries ${JSON.stringify(i.failedTries)}, dead letters ${JSON.stringify(i.deadLetters)}`).join('; ')}`);
    const exited = dep.unexpectedExits();
    if (exited.length) {
      result.unexpectedExits = exited;
      throw new Error(`service process(es) ended during the run: ${exited.map((e) => `${e.name} (${e.signal ?? `exit ${e.code}`} at ${e.at})`).join(', ')}`);
    }
    result.ok = true;
  } catch (err) {
    result.error = `${(err as Error).message}${dep ? `\n${dep.logs()}` : ''}`;
    if (dep && !result.unexpectedExits?.length) {
      const exited = dep.unexpectedExits();
      if (exited.length) result.unexpectedExits = exited;
    }
    log(`[${mode}] FAILED: ${(err as Error).message}`);
  } finally {
    stopSampler();
    watch?.close();
    await probe?.close().catch(() => {});
    if (fleet) await fleet.stop().catch(() => {});
    await dep?.close();
  }
  return result;
}
