import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isVin } from '../../protocol/index.js';
import { fleetVin, formatSummary } from '../../simulator/fleet/index.js';

describe('fleet VINs', () => {
  it('are valid ISO 3779 VINs, unique per index, the same for the same seed', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 0, max: 99_999_998 }), (seed, i) => {
        const v = fleetVin(seed, i);
        expect(isVin(v)).toBe(true);
        expect(fleetVin(seed, i)).toBe(v);
        expect(fleetVin(seed, i + 1)).not.toBe(v);
      }),
    );
  });

  it('rejects an index that does not fit', () => {
    expect(() => fleetVin(1, 100_000_000)).toThrow(RangeError);
  });

  it('formats a summary with every counter', () => {
    const text = formatSummary({ cars: 3, connected: 3, connectMs: 1200, durationMs: 5000, eventsSent: 2, eventsAcked: 2, eventsPending: 0, commandsReceived: 4, telemetrySent: 15, errors: 0, reconnects: 1, connectFailures: 0, rssMb: 100, heapUsedMb: 50 });
    for (const s of ['connected at end 3', 'all connected in 1.20 s', 'acknowledged 2', 'commands received  4', 'reconnects         1']) expect(text).toContain(s);
  });
});
