import { setTimeout as sleep } from 'node:timers/promises';
import type { ServiceProcess } from '../../../lib/process/service-process.js';
import { FEED_CLOSE } from '../../../protocol/index.js';
import { FeedWatch } from '../load/feed.js';
import { Load } from '../load/load.js';
import { connectWhenFree, nonReadingFeed, refusalCode, slowRequest, type MqttProbe } from '../load/probes.js';
import type { ModeSpec } from '../modes.js';
import { countOnce, feedTimes, record, runOnDeployment, settleAcks } from './frame.js';
import type { Check, RunContext, RunResult, ScenarioKind } from './kind.js';

/**
 * The limits, set low for the run (services/config.ts). The well-behaved clients (cars, probes) ask for
 * the same keep-alive: MQTT.js pings after KEEPALIVE_S without an ack and gives up at 1.5x that without
 * one, so each side has KEEPALIVE_S / 2 for a late timer or a late PINGRESP on a loaded machine. With
 * keep-alive 1 s against a 2 s maximum, cars of a 500-event run gave up on PUBACKs the busy service sent
 * 0.5 s late (7 reconnects), so the run would measure the cars, not the limits.
 */
const KEEPALIVE_S = 3;
/** MQTT_MAX_CONNECTIONS = the cars + this many. */
const SPARE_CONNECTIONS = 3;
const STALL_S = 2;
const REQUEST_TIMEOUT_MS = 1_000;
/** The crashes are paced over at least this long, so that they run through the MQTT and HTTP checks. */
const LOAD_MS = 6_000;
/** Slack over a limit on a loaded 2-core machine: the verdicts say "in time", not "to the millisecond". */
const SLACK_MS = 3_000;

/**
 * The service's resource bounds against a real service process, set low for the run, while the cars'
 * crashes go on: a keep-alive 0 MQTT client closed after 1.5x MQTT_MAX_KEEPALIVE_S, one connection over
 * MQTT_MAX_CONNECTIONS refused with CONNACK 3 (and a freed place taken), a slow-body HTTP request
 * answered 408 after HTTP_REQUEST_TIMEOUT_MS while /healthz answers, and, once nothing is committed any
 * more, a feed client that never reads closed with 1013 after FEED_STALL_SECONDS while a reading one stays.
 */
export const limitsKind: ScenarioKind = {
  kind: 'limits',
  variants: ['limits'],
  describe: () =>
    `limits set low (MQTT_MAX_KEEPALIVE_S ${KEEPALIVE_S}, MQTT_MAX_CONNECTIONS cars + ${SPARE_CONNECTIONS}, FEED_STALL_SECONDS ${STALL_S}, HTTP_REQUEST_TIMEOUT_MS ${REQUEST_TIMEOUT_MS}) hold under crashes`,
  notApplicable: (mode) =>
    mode.broker !== 'embedded'
      ? "the MQTT limits are the embedded broker's (Mosquitto has its own)"
      : mode.instances !== 1
        ? 'the limits are per instance: one instance shows them'
        : null,
  run: runLimits,
};

function runLimits(mode: ModeSpec, variant: string, ctx: RunContext): Promise<RunResult> {
  const { params } = ctx;
  const maxConnections = params.cars + SPARE_CONNECTIONS;
  const env = {
    MQTT_MAX_KEEPALIVE_S: String(KEEPALIVE_S),
    MQTT_MAX_CONNECTIONS: String(maxConnections),
    FEED_STALL_SECONDS: String(STALL_S),
    HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
  };
  return runOnDeployment('limits', mode, variant, ctx, { env }, async ({ dep, r, t0, since }) => {
    const svc = dep.services[0]!;
    const load = new Load({ ...params, burst: false, paceMs: Math.max(params.paceMs, LOAD_MS), keepaliveS: KEEPALIVE_S }, dep.carUrl, t0);
    const unload = ctx.onCleanup(() => load.end());
    const probes: MqttProbe[] = [];
    let feed: FeedWatch | undefined;
    try {
      feed = await FeedWatch.connect(svc.httpUrl);
      const feedOpenedAt = performance.now();
      await load.connectAll(30_000);
      r.timings.connectedAtMs = since();
      const loadDone = load.run();

      record(r, await connectionLimit(svc.mqttUrl!, params.cars, maxConnections, probes));
      await Promise.all(probes.splice(0).map((p) => p.client.endAsync(true).catch(() => {})));
      const [keepAlive, slowBody] = await Promise.all([keepAliveLimit(svc.mqttUrl!), requestTimeout(svc)]);
      record(r, [...keepAlive, ...slowBody]);

      await loadDone;
      await settleAcks(load, ctx, r);
      // Acknowledged means committed; the feed may trail the PUBACKs a little.
      const crashes = load.ledger.records;
      const feedRef = feed;
      const deadline = performance.now() + params.settleMs;
      while (performance.now() < deadline && !crashes.every((c) => c.ackedAtMs === null || feedRef.openedAt.has(c.eventId))) await sleep(100);

      // Nothing is committed from here on: only the feed's sweep can find a client that does not read.
      const stall = await feedStall(svc, feed);
      record(r, [stall.check]);
      if (stall.committed > 0) r.notes.push(`${stall.committed} feed messages went out while the non-reading client waited (not a quiet window)`);

      await countOnce(dep, load, r, () => true, 'crashes');
      const times = feedTimes(crashes, feed);
      record(r, [
        { name: 'every crash on the operator feed, through all of it', ok: times.seen.length === crashes.length, measured: times.text, expected: `${crashes.length} of ${crashes.length}` },
        {
          name: 'the reading feed client stays',
          ok: feed.closeCodes.length === 0,
          measured: feed.closeCodes.length ? `closed ${feed.closeCodes.join(', ')}` : `open after ${((performance.now() - feedOpenedAt) / 1000).toFixed(1)} s`,
          expected: 'open',
        },
        { name: 'no car cut off (each pings within the keep-alive)', ok: load.reconnects() === 0, measured: `${load.reconnects()} reconnects`, expected: '0 reconnects' },
      ]);
      r.timings.feedP50Ms = times.p50;
      r.timings.feedMaxMs = times.max;
    } finally {
      for (const p of probes) p.client.end(true);
      feed?.close();
      unload();
      await load.end();
    }
  });
}

/** Fills the spare places with probes, then one more; frees one place and takes it again. */
async function connectionLimit(url: string, cars: number, max: number, probes: MqttProbe[]): Promise<Check[]> {
  let refused: number | null = null;
  // Two more tries than places: a limit that does not hold shows as "let in".
  for (let i = 0; i < max - cars + 2 && refused === null; i++) refused = await refusalCode(url, KEEPALIVE_S, probes);
  const admitted = probes.length;
  const checks: Check[] = [
    {
      name: `one connection over MQTT_MAX_CONNECTIONS (${max}) refused with CONNACK 3`,
      ok: refused === 3 && cars + admitted === max,
      measured: `${cars} cars + ${admitted} probes in, the next ${refused === null ? 'let in too' : `refused with CONNACK ${refused}`}`,
      expected: `${cars} cars + ${max - cars} probes in, the next refused with CONNACK 3`,
    },
  ];
  await probes.shift()?.client.endAsync(true);
  const again = await connectWhenFree(url, KEEPALIVE_S, 5_000);
  if (again) probes.push(again);
  checks.push({ name: 'a freed place can be taken', ok: again !== null, measured: again ? `connected ${again.afterMs} ms after a probe left` : 'still refused 5 s after a probe left', expected: 'connected' });
  return checks;
}

/** A client asking for no keep-alive (0) is closed once silent for 1.5x the maximum; one that pings stays. */
async function keepAliveLimit(url: string): Promise<Check[]> {
  const idleMs = KEEPALIVE_S * 1500;
  const [silent, pinging] = await Promise.all([connectWhenFree(url, 0, 5_000), connectWhenFree(url, KEEPALIVE_S, 5_000)]);
  try {
    if (!silent || !pinging) throw new Error('the keep-alive probes were refused for 5 s');
    let closedAfter: number | null = null;
    silent.client.once('close', () => (closedAfter = Math.round(performance.now() - silent.startedAt)));
    while (closedAfter === null && performance.now() - silent.startedAt < idleMs + SLACK_MS) await sleep(50);
    // The pinging client outlives the limit by a second.
    const outlive = pinging.startedAt + idleMs + 1_000 - performance.now();
    if (outlive > 0) await sleep(outlive);
    const stayed = pinging.client.connected;
    const closed: number | null = closedAfter;
    return [
      {
        name: `an MQTT client with keep-alive 0 closed after 1.5 x MQTT_MAX_KEEPALIVE_S (${idleMs} ms)`,
        ok: closed !== null && closed >= idleMs - 50 && closed <= idleMs + SLACK_MS,
        measured: closed === null ? `still open ${idleMs + SLACK_MS} ms after its connect` : `closed ${closed} ms after its connect`,
        expected: `closed ${idleMs} ms after its connect (+ up to ${SLACK_MS} ms)`,
      },
      {
        name: `an MQTT client with keep-alive ${KEEPALIVE_S} (it pings) stays`,
        ok: stayed,
        measured: `${stayed ? 'connected' : 'closed'} ${Math.round(performance.now() - pinging.startedAt)} ms after its connect`,
        expected: 'connected',
      },
    ];
  } finally {
    silent?.client.end(true);
    pinging?.client.end(true);
  }
}

/** A POST whose body stops, and one whose body dribbles: both get 408 in time; /healthz is asked all along. */
async function requestTimeout(svc: ServiceProcess): Promise<Check[]> {
  const post = 'POST /v1/cases/nope/close HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"resolution":';
  const slow = [
    { what: 'body stopped', ...slowRequest(svc.httpPort, post, false) },
    { what: 'body dribbling', ...slowRequest(svc.httpPort, post, true) },
  ];
  const health = { asked: 0, ok: 0, slowestMs: 0 };
  const deadline = performance.now() + REQUEST_TIMEOUT_MS + SLACK_MS;
  while (performance.now() < deadline && slow.some((s) => s.state.closedAfterMs === null)) {
    const t = performance.now();
    health.asked++;
    const res = await fetch(`${svc.httpUrl}/healthz`, { signal: AbortSignal.timeout(1_000) }).catch(() => null);
    await res?.arrayBuffer();
    if (res?.ok) health.ok++;
    health.slowestMs = Math.max(health.slowestMs, Math.round(performance.now() - t));
    await sleep(100);
  }
  for (const s of slow) s.stop();
  const inTime = (ms: number | null) => ms !== null && ms >= REQUEST_TIMEOUT_MS - 50 && ms <= REQUEST_TIMEOUT_MS + SLACK_MS;
  return [
    {
      name: `a slow-body HTTP request answered 408 after HTTP_REQUEST_TIMEOUT_MS (${REQUEST_TIMEOUT_MS} ms)`,
      ok: slow.every((s) => s.state.answer.startsWith('HTTP/1.1 408 ') && inTime(s.state.closedAfterMs)),
      measured: slow.map((s) => `${s.what}: ${s.state.answer.split('\r\n')[0] || 'no answer'}, closed after ${s.state.closedAfterMs ?? '–'} ms`).join('; '),
      expected: `HTTP/1.1 408 after ${REQUEST_TIMEOUT_MS} ms (+ up to ${SLACK_MS} ms)`,
    },
    { name: '/healthz answers meanwhile', ok: health.asked > 0 && health.ok === health.asked, measured: `${health.ok} of ${health.asked} answered 200, slowest ${health.slowestMs} ms`, expected: 'all 200' },
  ];
}

const STALLED = /^anshin_feed_clients_closed_total\{[^}]*reason="stalled"[^}]*\} (\S+)$/m;
const stalledClosed = async (svc: ServiceProcess) => Number(STALLED.exec(await svc.metrics())?.[1] ?? 0);

/** A feed client that never reads, opened in a quiet window: closed by the sweep; 1013 read when it resumes. */
async function feedStall(svc: ServiceProcess, reading: FeedWatch): Promise<{ check: Check; committed: number }> {
  const stallMs = STALL_S * 1000;
  const before = await stalledClosed(svc);
  const messagesBefore = reading.messages;
  const silent = nonReadingFeed(svc.httpUrl);
  try {
    const openedAt = await silent.opened;
    let closedAfter: number | null = null;
    while (closedAfter === null && performance.now() - openedAt < stallMs + SLACK_MS) {
      if ((await stalledClosed(svc)) > before) closedAfter = Math.round(performance.now() - openedAt);
      else await sleep(50);
    }
    const committed = reading.messages - messagesBefore;
    // Reading again, it finds what reached it, then the contract's close code.
    silent.resume();
    const deadline = performance.now() + 10_000;
    while (silent.closeCode() === null && performance.now() < deadline) await sleep(50);
    const code = silent.closeCode();
    return {
      committed,
      check: {
        name: `a feed client that never reads closed with 1013 after FEED_STALL_SECONDS (${STALL_S} s), nothing committed meanwhile`,
        ok: closedAfter !== null && closedAfter >= stallMs - 100 && closedAfter <= stallMs + SLACK_MS && code === FEED_CLOSE.tooSlow,
        measured: `${closedAfter === null ? 'not closed' : `closed ${closedAfter} ms after it opened`}, close code ${code ?? 'none'} when it read again; ${committed} feed messages meanwhile`,
        expected: `${FEED_CLOSE.tooSlow} after ${stallMs} ms (+ up to ${SLACK_MS} ms)`,
      },
    };
  } finally {
    silent.end();
  }
}
