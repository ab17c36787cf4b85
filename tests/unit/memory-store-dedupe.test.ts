/**
 * Foundations 4: the memory store's dedupe memory is bounded in time like Redis's keys with a TTL
 * (store/policy.ts `dedupeTtlSeconds`), on the injected clock. That an eventId is remembered for the TTL
 * and forgotten after it is in the shared contract (tests/helpers/store-contract.ts); this is the
 * memory adapter's own promise: what it keeps does not grow with the traffic of all time.
 */
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../lib/clock/index.js';
import { MemoryStore } from '../../services/incident/store/memory-store.js';
import { change, VINS } from '../helpers/store-contract.js';

const T0 = Date.parse('2026-11-21T10:00:00.000Z');

describe('MemoryStore dedupe memory', () => {
  it('holds only the events of the last TTL: a steady stream of events keeps it at one TTL of traffic', async () => {
    const clock = new VirtualClock(T0);
    const store = new MemoryStore({ clock, dedupeTtlSeconds: 10 });
    const [VIN] = VINS;
    let version = 0;
    const sizes: number[] = [];
    // One event a second for 10 minutes: 600 events, a TTL of 10 s.
    for (let i = 0; i < 600; i++) {
      expect((await store.commit(change(VIN, version++, { eventId: `e${i}` }))).status).toBe('ok');
      sizes.push(store.dedupeEntries);
      await clock.advance(1_000);
    }
    expect(Math.max(...sizes)).toBeLessThanOrEqual(10);
    // The last ones are still refused as duplicates; the first ones are forgotten.
    expect((await store.readEvent(VIN, 'e599')).seen).toBe(true);
    expect((await store.readEvent(VIN, 'e0')).seen).toBe(false);
    expect(await store.commit(change(VIN, version, { eventId: 'e595' }))).toEqual({ status: 'duplicate' });
  });

  it('a burst is forgotten as a whole once its TTL has passed, at the next commit', async () => {
    const clock = new VirtualClock(T0);
    const store = new MemoryStore({ clock, dedupeTtlSeconds: 60 });
    for (let i = 0; i < 2_000; i++) expect((await store.commit(change(VINS[i % 4]!, Math.floor(i / 4), { eventId: `burst-${i}` }))).status).toBe('ok');
    expect(store.dedupeEntries).toBe(2_000);
    await clock.advance(60_000);
    expect((await store.readEvent(VINS[0], 'burst-0')).seen).toBe(false);
    expect((await store.commit(change(VINS[0], 500, { eventId: 'after' }))).status).toBe('ok');
    expect(store.dedupeEntries).toBe(1);
  });
});
