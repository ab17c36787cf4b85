/**
 * Issue 9, "commands after a commit are not lost either": what a commit owes the broker stays in the
 * store's outbox until the broker confirms it, and is sent again at start and on a timer.
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../lib/clock/index.js';
import { Metrics } from '../../services/incident/metrics.js';
import { OutboxRelay, type Outbound } from '../../services/incident/outbox-relay.js';
import { MemoryStore } from '../../services/incident/store/memory-store.js';
import type { OutboxMessage } from '../../services/incident/store/port.js';
import { change, VINS } from '../helpers/store-contract.js';

const T0 = Date.UTC(2026, 10, 21, 10, 0, 0);
const RETRY_MS = 5_000;
const VIN = VINS[0];

/** A broker double: records what it was given and confirms or refuses as told. */
class Broker implements Outbound {
  readonly sent: string[] = [];
  up = true;
  publish(topic: string, payload: string, _options: { qos: 0 | 1; retain?: boolean }, done?: (err?: Error) => void): void {
    if (!this.up) return done?.(new Error('broker unreachable'));
    this.sent.push(payload);
    done?.();
  }
}

function message(key: string, at: number): OutboxMessage {
  return { key, id: '1', topic: `v1/vehicles/${VIN}/commands`, payload: key, qos: 1, retain: false, at };
}

async function given(messages: OutboxMessage[], clock: VirtualClock) {
  const store = new MemoryStore();
  await store.commit(change(VIN, 0, { outbox: messages }));
  const broker = new Broker();
  const relay = new OutboxRelay({ store, outbound: broker, clock, logger: pino({ level: 'silent' }), metrics: new Metrics(), retryMs: RETRY_MS });
  return { store, broker, relay };
}

describe('issue 9: the outbox relay', () => {
  it('sends at start what an earlier run committed and never saw confirmed, then forgets it', async () => {
    const clock = new VirtualClock(T0 + 60_000);
    const { store, broker, relay } = await given([message('cmd:a', T0), message('cmd:b', T0)], clock);
    expect(await relay.start()).toBe(2);
    expect(broker.sent).toEqual(['cmd:a', 'cmd:b']);
    await clock.advance(0);
    expect(await store.outboxPending(clock.now(), 10)).toEqual([]);
    await clock.advance(RETRY_MS);
    expect(broker.sent).toEqual(['cmd:a', 'cmd:b']); // confirmed: never again
    await relay.stop();
  });

  it('a message the broker refused is sent again after OUTBOX_RETRY_MS, not before', async () => {
    const clock = new VirtualClock(T0);
    const { store, broker, relay } = await given([], clock);
    await relay.start();
    broker.up = false;
    const m = message('cmd:c', T0);
    await store.commit(change(VIN, 1, { outbox: [m] }));
    relay.send([m]);
    broker.up = true;
    await clock.advance(RETRY_MS - 1);
    expect(broker.sent).toEqual([]);
    await clock.advance(1);
    expect(broker.sent).toEqual(['cmd:c']);
    await clock.advance(0);
    expect(await store.outboxPending(clock.now(), 10)).toEqual([]);
    await relay.stop();
  });

  it('a message still waiting for its confirmation is not sent twice by the sweep', async () => {
    const clock = new VirtualClock(T0 + RETRY_MS);
    const store = new MemoryStore();
    const m = message('cmd:d', T0);
    await store.commit(change(VIN, 0, { outbox: [m] }));
    const held: Array<() => void> = [];
    let sends = 0;
    const slow: Outbound = {
      publish: (_t, _p, _o, done) => {
        sends++;
        held.push(() => done?.());
      },
    };
    const relay = new OutboxRelay({ store, outbound: slow, clock, logger: pino({ level: 'silent' }), metrics: new Metrics(), retryMs: RETRY_MS });
    await relay.start();
    await clock.advance(RETRY_MS);
    expect(sends).toBe(1);
    held.forEach((confirm) => confirm());
    await clock.advance(0);
    expect(await store.outboxPending(clock.now(), 10)).toEqual([]);
    await relay.stop();
  });
});
