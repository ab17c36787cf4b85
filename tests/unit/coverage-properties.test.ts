/**
 * Issue 13, properties of the tow fee (D5.2), over random tariffs, distances and times, and over the
 * shipped programmes through the whole engine: the member never pays for kilometres inside the free
 * distance, pays for every kilometre beyond it (rounded up), and the fee never falls as the distance grows.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoTime } from '../../protocol/index.js';
import { assess } from '../../services/road-coverage/engine.js';
import { inJapan } from '../../services/road-coverage/japan-time.js';
import { towFee, type TowTariff } from '../../services/road-coverage/tow.js';
import { request, shippedProgrammes } from '../helpers/coverage.js';

const hhmm = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
const tariff: fc.Arbitrary<TowTariff> = fc
  .record({
    freeKm: fc.double({ min: 0, max: 100, noNaN: true }),
    day: fc.integer({ min: 0, max: 5_000 }),
    night: fc.integer({ min: 0, max: 5_000 }),
    dayStarts: fc.integer({ min: 0, max: 1438 }),
    length: fc.integer({ min: 1, max: 1439 }),
    taxIncluded: fc.boolean(),
  })
  .map((t) => ({ freeKm: t.freeKm, yenPerKm: { day: t.day, night: t.night }, dayStarts: hhmm(t.dayStarts), nightStarts: hhmm(Math.min(1439, t.dayStarts + t.length)), taxIncluded: t.taxIncluded }));
const km = fc.double({ min: 0, max: 1_000, noNaN: true });
const instant = fc.integer({ min: Date.parse('2000-01-01T00:00:00.000Z'), max: Date.parse('2099-12-31T23:59:59.999Z') });

describe('D5.2 tow fee properties', () => {
  it('inside the free distance the member pays nothing', () => {
    fc.assert(
      fc.property(tariff, fc.double({ min: 0, max: 1, noNaN: true }), instant, (t, share, at) => {
        const fee = towFee(t, t.freeKm * share, at);
        expect(fee).toMatchObject({ chargedKm: 0, memberPaysYen: 0 });
      }),
    );
  });

  it('beyond it the member pays the kilometres beyond, rounded up to whole ones, at the band rate, never a kilometre of the free distance', () => {
    fc.assert(
      fc.property(tariff, km, instant, (t, distance, at) => {
        const fee = towFee(t, distance, at);
        const beyond = Math.round(distance * 1000) / 1000 - Math.round(t.freeKm * 1000) / 1000;
        expect(fee.chargedKm).toBeGreaterThanOrEqual(0);
        if (fee.chargedKm > 0) {
          expect(fee.chargedKm - 1).toBeLessThan(beyond + 1e-9);
          expect(beyond).toBeLessThanOrEqual(fee.chargedKm + 1e-9);
        } else expect(beyond).toBeLessThanOrEqual(1e-9);
        expect(fee.memberPaysYen).toBe(fee.chargedKm * t.yenPerKm[fee.band]);
      }),
    );
  });

  it('the fee never falls when the distance grows (same tariff, same time)', () => {
    fc.assert(
      fc.property(tariff, km, km, instant, (t, a, b, at) => {
        const [near, far] = a <= b ? [a, b] : [b, a];
        expect(towFee(t, near, at).memberPaysYen).toBeLessThanOrEqual(towFee(t, far, at).memberPaysYen);
      }),
    );
  });

  it('the band is day exactly when the Japan time is in [dayStarts, nightStarts)', () => {
    fc.assert(
      fc.property(tariff, instant, (t, at) => {
        const time = hhmm(inJapan(at).minutes);
        expect(towFee(t, 1, at).band).toBe(time >= t.dayStarts && time < t.nightStarts ? 'day' : 'night');
      }),
    );
  });

  it.each(['jcb-car-rescue-365', 'jaf'])('through the engine on %s: nothing inside the free distance, never less for a longer tow', async (id) => {
    const programme = (await shippedProgrammes()).get(id)!;
    const fee = (towKm: number, at: number) => assess(programme, request(id, { incident: { at: isoTime(at), work: ['tow'], towKm, drivable: false } }), { now: at }).tow!;
    fc.assert(
      fc.property(km, km, fc.integer({ min: Date.parse('2010-01-01T00:00:00.000Z'), max: Date.parse('2030-12-31T23:59:59.999Z') }), (a, b, at) => {
        const [near, far] = a <= b ? [a, b] : [b, a];
        const n = fee(near, at);
        if (near <= n.freeKm) expect(n.memberPaysYen).toBe(0);
        expect(n.memberPaysYen).toBeLessThanOrEqual(fee(far, at).memberPaysYen);
      }),
      { numRuns: 200 },
    );
  });
});
