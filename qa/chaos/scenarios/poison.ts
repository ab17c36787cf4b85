import { setTimeout as sleep } from 'node:timers/promises';
import { topics } from '../../../protocol/index.js';
import { buildEvent } from '../../../simulator/car/payloads.js';
import { DeadLetterWatch } from '../load/dead-letters.js';
import { FeedWatch } from '../load/feed.js';
import { airbagEvent, Load, newEventId, type LoadParams, type PlannedEvent } from '../load/load.js';
import type { ModeSpec } from '../modes.js';
import { countOnce, feedTimes, record, runOnDeployment, settleAcks } from './frame.js';
import type { RunContext, RunResult, ScenarioKind } from './kind.js';

/** Payloads valid to JSON.parse that broke a store or a parser once (protocol/limits.ts). */
const POISONS: Record<string, (vin: string, eventId: string) => { topic: string; payload: string }> = {
  // An airbag whose `data.deployed` holds a lone surrogate: Redis's Lua cjson refuses the escape.
  'lone-surrogate': (vin, eventId) => {
    const ev = JSON.parse(airbagEvent(vin, 0, eventId).payload) as { data: { deployed: string[] } };
    ev.data.deployed = ['driver_front', '\ud800'];
    return { topic: topics.event(vin, 'airbag'), payload: JSON.stringify(ev) };
  },
  // An SOS with `data` nested 1,100 deep: past cjson's 1,000 and any recursive walk's comfort.
  'deep-nesting': (vin, eventId) => {
    let data: Record<string, unknown> = {};
    for (let i = 0; i < 1_100; i++) data = { a: data };
    const ev = buildEvent({ vin, type: 'sos', eventId, nowMs: performance.timeOrigin + performance.now(), position: null, data: {} });
    return { topic: topics.event(vin, 'sos'), payload: JSON.stringify({ ...ev, data }) };
  },
  // A `ts` that matches the pattern of an ISO time but is no time at all.
  'impossible-ts': (vin, eventId) => {
    const ev = JSON.parse(airbagEvent(vin, 0, eventId).payload) as { ts: string };
    ev.ts = '9999-99-99T99:99:99.999Z';
    return { topic: topics.event(vin, 'airbag'), payload: JSON.stringify(ev) };
  },
};
const POISON_NAMES = Object.keys(POISONS);
const FEED_TARGET_MS = 1_000;
const DEAD_LETTER_WAIT_MS = 5_000;

/**
 * Poison among crashes: the first cars send the poison payloads (each kind `rounds` times), the other
 * cars one valid airbag each, interleaved. Each poison payload must be dead-lettered and acknowledged
 * and open no case; every crash must reach the operator feed in under a second and be committed once.
 */
export const poisonKind: ScenarioKind = {
  kind: 'poison',
  variants: ['poison'],
  describe: () => `poison payloads (${POISON_NAMES.join(', ')}) among other cars' crashes: dead-lettered, crashes on the feed < ${FEED_TARGET_MS} ms`,
  notApplicable: () => null,
  run: runPoison,
};

function poisonPlan(rounds: number) {
  return (vins: string[], params: LoadParams): PlannedEvent[] => {
    const poisonCars = POISON_NAMES.length;
    if (vins.length <= poisonCars) throw new Error(`the poison scenario needs more than ${poisonCars} cars`);
    const crashes: PlannedEvent[] = vins.slice(poisonCars).map((vin, k) => {
      const eventId = newEventId();
      return { car: poisonCars + k, eventId, tag: 'crash', ...airbagEvent(vin, poisonCars + k, eventId) };
    });
    const poisons: PlannedEvent[] = [];
    for (let r = 0; r < rounds; r++) {
      for (const [car, name] of POISON_NAMES.entries()) {
        const eventId = newEventId();
        poisons.push({ car, eventId, tag: `poison:${name}`, ...POISONS[name]!(vins[car]!, eventId) });
      }
    }
    // Poison spread evenly among the crashes.
    const out: PlannedEvent[] = [];
    const every = Math.max(1, Math.floor(crashes.length / poisons.length));
    for (const [i, c] of crashes.entries()) {
      if (i % every === 0 && poisons.length) out.push(poisons.shift()!);
      out.push(c);
    }
    out.push(...poisons);
    void params;
    return out;
  };
}

function runPoison(mode: ModeSpec, variant: string, ctx: RunContext): Promise<RunResult> {
  const { params } = ctx;
  return runOnDeployment('poison', mode, variant, ctx, {}, async ({ dep, r, t0, since }) => {
    const rounds = params.cars >= 20 ? 2 : 1;
    const load = new Load({ ...params, burst: false }, dep.carUrl, t0, poisonPlan(rounds));
    const unload = ctx.onCleanup(() => load.end());
    let letters: DeadLetterWatch | undefined;
    let feed: FeedWatch | undefined;
    try {
      letters = await DeadLetterWatch.connect(dep.carUrl(0));
      feed = await FeedWatch.connect(dep.services[0]!.httpUrl);
      await load.connectAll(30_000);
      r.timings.connectedAtMs = since();
      await load.run();
      await settleAcks(load, ctx, r);
      const { ledger } = load;
      const crashes = ledger.records.filter((x) => x.tag === 'crash');
      const poisons = ledger.records.filter((x) => x.tag.startsWith('poison:'));
      // Dead letters and feed messages may trail the PUBACKs a little.
      const deadline = performance.now() + Math.max(DEAD_LETTER_WAIT_MS, params.settleMs);
      const feedRef = feed;
      const lettersRef = letters;
      while (performance.now() < deadline && !(poisons.every((p) => lettersRef.find(p.eventId)) && crashes.every((c) => feedRef.openedAt.has(c.eventId)))) {
        await sleep(200);
      }
      const cases = await countOnce(dep, load, r, (x) => x.tag === 'crash', 'crashes');

      const lettered = poisons.map((p) => ({ p, letter: lettersRef.find(p.eventId) }));
      const reasons = new Map<string, number>();
      for (const { p, letter } of lettered) if (letter) reasons.set(`${p.tag.slice(7)}: ${letter.letter.reason}`, (reasons.get(`${p.tag.slice(7)}: ${letter.letter.reason}`) ?? 0) + 1);
      const poisonIds = new Set(poisons.map((p) => p.eventId));
      const poisonCases = cases.filter((c) => poisonIds.has(c.eventId)).length;
      const times = feedTimes(crashes, feedRef);
      const slow = times.seen.filter((x) => x >= FEED_TARGET_MS).length;
      const ready = await dep.waitAllReady(5_000);
      record(r, [
        {
          name: 'every poison payload dead-lettered',
          ok: lettered.every((x) => x.letter),
          measured: `${lettered.filter((x) => x.letter).length} of ${poisons.length} (${[...reasons].map(([k, n]) => `${k} ×${n}`).join(', ') || 'none'})`,
          expected: `${poisons.length} of ${poisons.length}, each with a reason`,
        },
        {
          name: 'every poison payload acknowledged (else the car re-sends it on every reconnect)',
          ok: poisons.every((p) => p.ackedAtMs !== null),
          measured: `${poisons.filter((p) => p.ackedAtMs !== null).length} of ${poisons.length}`,
          expected: `${poisons.length} of ${poisons.length}`,
        },
        { name: 'no case for a poison payload', ok: poisonCases === 0, measured: String(poisonCases), expected: '0' },
        {
          name: `every crash on the operator feed in under ${FEED_TARGET_MS} ms`,
          ok: times.seen.length === crashes.length && slow === 0,
          measured: `${times.text}; ${slow} at or over ${FEED_TARGET_MS} ms`,
          expected: `${crashes.length} of ${crashes.length}, each < ${FEED_TARGET_MS} ms`,
        },
        { name: 'operator feed stayed open', ok: feedRef.closeCodes.length === 0, measured: feedRef.closeCodes.join(', ') || 'open', expected: 'open' },
        { name: 'every instance still alive and ready', ok: ready !== null && dep.services.every((s) => s.running), measured: ready === null ? 'not ready' : 'ready', expected: 'ready' },
      ]);
      r.timings.feedP50Ms = times.p50;
      r.timings.feedMaxMs = times.max;
    } finally {
      feed?.close();
      await letters?.close();
      unload();
      await load.end();
    }
  });
}
