/**
 * Issue 15: ingest takes at most INGEST_MAX_IN_FLIGHT messages at once; the others wait, unacknowledged,
 * in arrival order; one car's messages keep their order. Issue 9: a publish held through a store
 * outage is refused after INGEST_HOLD_MS counted from its arrival, waiting for its turn included.
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../lib/clock/index.js';
import { IngestHeldTooLong, IngestRunner } from '../../services/incident/ingest/runner.js';
import { Metrics } from '../../services/incident/metrics.js';
import { StoreUnavailable } from '../../services/incident/store/port.js';
import { vin } from '../helpers/vins.js';

const topicOf = (n: number) => `v1/vehicles/${vin(n)}/events`;

function runner(handle: (topic: string, payload: Buffer) => Promise<unknown>, opts: { maxInFlight: number; holdMs?: number; clock?: VirtualClock }) {
  return new IngestRunner({
    handle,
    store: { ping: async () => {} },
    clock: opts.clock ?? new VirtualClock(0),
    logger: pino({ level: 'silent' }),
    metrics: new Metrics(),
    deadLetter: () => {},
    maxTries: 3,
    holdMs: opts.holdMs ?? 30_000,
    maxInFlight: opts.maxInFlight,
  });
}

/** A handle whose calls each wait for the test to let them finish. */
function gate() {
  const running: Array<{ topic: string; body: string; finish: () => void }> = [];
  const started: string[] = [];
  const handle = (topic: string, payload: Buffer) =>
    new Promise<void>((resolve) => {
      started.push(payload.toString());
      running.push({ topic, body: payload.toString(), finish: resolve });
    });
  return { running, started, handle };
}

const settle = () => new Promise((r) => setImmediate(r));

describe('ingest runner', () => {
  it('issue 15: processes at most maxInFlight messages at once; the rest start in arrival order as places free up; all settle', async () => {
    const g = gate();
    const r = runner(g.handle, { maxInFlight: 4 });
    const done = Array.from({ length: 10 }, (_, i) => r.submit(topicOf(i), Buffer.from(`m${i}`)));
    await settle();
    expect(g.running).toHaveLength(4);
    expect(g.started).toEqual(['m0', 'm1', 'm2', 'm3']);
    g.running.splice(1, 1)[0]!.finish();
    await settle();
    expect(g.running).toHaveLength(4);
    expect(g.started.at(-1)).toBe('m4');
    while (g.running.length > 0) {
      g.running.shift()!.finish();
      await settle();
    }
    await Promise.all(done);
    expect(g.started).toEqual(Array.from({ length: 10 }, (_, i) => `m${i}`));
  });

  it("issue 15: one car's messages stay in order, and a car waiting on its own earlier message takes no place from the others", async () => {
    const g = gate();
    const r = runner(g.handle, { maxInFlight: 2 });
    const done = [r.submit(topicOf(1), Buffer.from('a1')), r.submit(topicOf(1), Buffer.from('a2')), r.submit(topicOf(2), Buffer.from('b1'))];
    await settle();
    // a2 waits for a1 (same car) without holding a place: b1 runs beside a1.
    expect(g.started).toEqual(['a1', 'b1']);
    g.running.find((x) => x.body === 'a1')!.finish();
    await settle();
    expect(g.started).toEqual(['a1', 'b1', 'a2']);
    for (const x of g.running.splice(0)) x.finish();
    await Promise.all(done);
  });

  it('issue 9 + 15: in a store outage a message is refused INGEST_HOLD_MS after it arrived, the time it waited for its turn included', async () => {
    const clock = new VirtualClock(0);
    const tries: string[] = [];
    const r = runner(
      async (_t, payload) => {
        tries.push(`${payload.toString()}@${clock.now()}`);
        throw new StoreUnavailable('Redis unavailable: Connection is closed.');
      },
      { maxInFlight: 1, holdMs: 1_000, clock },
    );
    const first = r.submit(topicOf(1), Buffer.from('m1'));
    const second = r.submit(topicOf(2), Buffer.from('m2'));
    const outcomes = [first.catch((e: unknown) => e), second.catch((e: unknown) => e)];
    await clock.advance(5_000);
    const [e1, e2] = await Promise.all(outcomes);
    expect(e1).toBeInstanceOf(IngestHeldTooLong);
    expect(e2).toBeInstanceOf(IngestHeldTooLong);
    // m1 was tried with backoff until 1 s had passed; m2 got its turn then, failed once and was refused at once.
    const m2Tries = tries.filter((t) => t.startsWith('m2@'));
    expect(m2Tries).toHaveLength(1);
    expect(tries.filter((t) => t.startsWith('m1@')).length).toBeGreaterThan(1);
    expect(r.holding).toBe(0);
  });
});
