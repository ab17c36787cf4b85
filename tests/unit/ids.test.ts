import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../lib/clock/index.js';
import { pooledRandom, ulidFactory } from '../../lib/ids.js';

describe('lib/ids: ULIDs on the injected clock', () => {
  it('ids made in one millisecond are unique and sort in the order they were made', () => {
    const next = ulidFactory(new VirtualClock(Date.parse('2026-12-02T03:00:00Z')));
    const ids = Array.from({ length: 5_000 }, () => next());
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it('ids carry the clock time, so they sort in virtual time', async () => {
    const clock = new VirtualClock(Date.parse('2026-12-02T03:00:00Z'));
    const next = ulidFactory(clock);
    const first = next();
    await clock.advance(1);
    const later = next();
    expect(later > first).toBe(true);
    expect(first.slice(0, 10)).not.toBe(later.slice(0, 10));
  });

  it('the pooled randomness stays in [0, 1) and keeps drawing past its pool', () => {
    const random = pooledRandom(16);
    const values = Array.from({ length: 1_000 }, () => random());
    expect(values.every((v) => v >= 0 && v < 1)).toBe(true);
    expect(new Set(values).size).toBeGreaterThan(990);
  });
});
