/**
 * Issue 13: jaf (DOMAIN D5.9; seed 001 Q17, Q20), for comparison: 15 km free then 730 yen per km until
 * 2024-03-31, 20 km free then 830 yen per km from 2024-04-01, Japan dates. One file, two versions.
 */
import { describe, expect, it } from 'vitest';
import { assessWith, jst, request } from '../helpers/coverage.js';

const tow = (at: string, towKm: number) => request('jaf', { incident: { at, work: ['tow'], towKm, drivable: false } });

describe('D5.9 JAF towing by the version in force on the Japan date', () => {
  it.each([
    ['2024-03-31 23:59 JST, 25 km: 15 km free, 10 km at 730 yen', jst('2024-03-31 23:59'), 25, { effectiveFrom: '2008-12-01' }, { freeKm: 15, chargedKm: 10, yenPerKm: 730, memberPaysYen: 7300 }],
    ['2024-04-01 00:00 JST (still 2024-03-31 in UTC), 25 km: 20 km free, 5 km at 830 yen', '2024-03-31T15:00:00.000Z', 25, { effectiveFrom: '2024-04-01' }, { freeKm: 20, chargedKm: 5, yenPerKm: 830, memberPaysYen: 4150 }],
    ['2024-03-31, exactly 15 km: free', jst('2024-03-31 12:00'), 15, { effectiveFrom: '2008-12-01' }, { chargedKm: 0, memberPaysYen: 0 }],
    ['2024-03-31, 15.1 km: one km', jst('2024-03-31 12:00'), 15.1, { effectiveFrom: '2008-12-01' }, { chargedKm: 1, memberPaysYen: 730 }],
    ['2024-04-01, 20 km: free', jst('2024-04-01 12:00'), 20, { effectiveFrom: '2024-04-01' }, { chargedKm: 0, memberPaysYen: 0 }],
    ['2024-04-01, 20.1 km: one km', jst('2024-04-01 12:00'), 20.1, { effectiveFrom: '2024-04-01' }, { chargedKm: 1, memberPaysYen: 830 }],
  ] as const)('%s', async (_name, at, km, version, expected) => {
    const a = await assessWith(tow(at, km));
    expect(a.version).toMatchObject(version);
    expect(a.tow).toMatchObject({ taxIncluded: true, ...expected });
  });

  it('the same rate by day and by night', async () => {
    const day = await assessWith(tow(jst('2024-06-01 19:59'), 30));
    const night = await assessWith(tow(jst('2024-06-01 20:00'), 30));
    expect([day.tow?.band, night.tow?.band]).toEqual(['day', 'night']);
    expect(day.tow?.memberPaysYen).toBe(night.tow?.memberPaysYen);
  });

  it('an incident before the first version: the programme is not in force', async () => {
    const a = await assessWith(tow(jst('2008-11-30 23:59'), 5));
    expect(a).toMatchObject({ eligible: false, refusals: ['programme_not_in_force'], version: null });
    expect(a.work).toEqual([expect.objectContaining({ kind: 'tow', covered: false })]);
  });

  it('seed 001 Q20: JAF pays no after-follow, it only guides', async () => {
    const a = await assessWith(request('jaf', { incident: { drivable: false, distanceFromHomeKm: 300, afterFollow: 'lodging' } }));
    expect(a.afterFollow).toMatchObject({ eligible: false, limitYen: null, reason: expect.stringContaining('guides') });
  });
});
