/**
 * Issue 13: nissan-card-src24 (seed 003; DOMAIN D5.7, D5.9): cost compensation once per member per
 * fiscal year (April to March, Japan time), only with the centre's approval before the service, claimed
 * within 2 months of the call; towing only away from home and not drivable; travel at 50 km or more.
 */
import { describe, expect, it } from 'vitest';
import { addMonths, fiscalYearOf } from '../../services/road-coverage/japan-time.js';
import { assessWith, jst, missingFields, request, workOf, type RequestChange } from '../helpers/coverage.js';

const NISSAN = 'nissan-card-src24';
const called = (calledAt: string, more: RequestChange['member'] = {}): RequestChange => ({ member: { approvedByCentre: true, calledAt, ...more } });
const base = (...changes: RequestChange[]) => request(NISSAN, { incident: { at: jst('2024-05-10 09:00') } }, called(jst('2024-05-10 09:10')), ...changes);

describe('D5.7 compensation: approval, once per fiscal year, claim within 2 months', () => {
  it.each([
    ['claimed one day before two months (2024-07-09)', { incident: { claimAt: jst('2024-07-09 12:00') } }, true],
    ['claimed on the last day (2024-07-10)', { incident: { claimAt: jst('2024-07-10 23:59') } }, true],
    ['claimed one day after two months (2024-07-11)', { incident: { claimAt: jst('2024-07-11 00:00') } }, false],
    ['not approved by the centre', { member: { approvedByCentre: false } }, false],
    ['first compensation this fiscal year (last one in March 2024, FY2023)', { member: { lastCompensationAt: jst('2024-03-31 23:59') } }, true],
    ['already compensated this fiscal year (April 2024)', { member: { lastCompensationAt: jst('2024-04-01 00:00') } }, false],
    ['refused by the programme (home parking place)', { incident: { place: 'home_parking' } }, false],
  ] as const)('%s', async (_name, change, eligible) => {
    const a = await assessWith(base(change as RequestChange));
    expect(a.compensation).toMatchObject({ eligible, claimDeadline: '2024-07-10' });
  });

  it.each([
    ['the day before 1 April JST is still the old fiscal year', jst('2025-03-31 23:59'), jst('2024-04-01 00:00'), 'used_this_fiscal_year'],
    ['1 April 00:00 JST (31 March 15:00 UTC) starts a new one', '2025-03-31T15:00:00.000Z', jst('2024-04-01 00:00'), undefined],
  ] as const)('fiscal year turning on 1 April JST: %s', async (_name, at, last, code) => {
    const a = await assessWith(request(NISSAN, { incident: { at, claimAt: at } }, called(at, { lastCompensationAt: last })));
    expect(a.compensation?.refusals).toEqual(code ? [code] : []);
    expect(a.compensation?.reasons.join(' ')).toMatch(code ? /already used on 2024-04-01 in fiscal year 2024 \(April 2024 to March 2025/ : /first compensation in fiscal year 2025/);
  });

  it('without claimAt the deadline is judged at "now" (passed in, not read from a clock)', async () => {
    const req = base();
    const before = await assessWith(req, Date.parse(jst('2024-07-10 23:59')));
    const after = await assessWith(req, Date.parse(jst('2024-07-11 00:00')));
    expect(before.compensation).toMatchObject({ eligible: true, reasons: expect.arrayContaining(['claim by 2024-07-10 (2 months from the call on 2024-05-10)']) });
    expect(after.compensation).toMatchObject({ eligible: false, refusals: ['claim_late'] });
  });

  it('the deadline is a Japan date: a call at 23:30 JST on 31 December runs to 28 February', async () => {
    const a = await assessWith(request(NISSAN, { incident: { at: jst('2024-12-31 23:00') } }, called(jst('2024-12-31 23:30'))));
    expect(a.compensation?.claimDeadline).toBe('2025-02-28');
  });

  it('the centre\'s approval and the call are needed to answer', async () => {
    expect(await missingFields(request(NISSAN))).toEqual(['member.approvedByCentre', 'member.calledAt']);
  });
});

describe('D5.9 what is compensated', () => {
  it.each([
    ['towing away from home, not drivable', { incident: { work: ['tow'], drivable: false } }, 'tow', true],
    ['towing a car that can be driven', { incident: { work: ['tow'], drivable: true } }, 'tow', false],
    ['fuel: 10 L of petrol only', { incident: { work: ['fuel_delivery'] } }, 'fuel_delivery', true],
    ['tyre work is not compensated', { incident: { work: ['spare_tyre'] } }, 'spare_tyre', false],
  ] as const)('%s', async (_name, change, kind, covered) => {
    const a = await assessWith(base(change as RequestChange));
    expect(workOf(a, kind)).toMatchObject({ covered });
  });

  it('fuel says 10 L of petrol', async () => {
    const a = await assessWith(base({ incident: { work: ['fuel_delivery'] } }));
    expect(workOf(a, 'fuel_delivery')?.reason).toContain('10 L of petrol');
  });

  it.each([
    ['49 km from home: no travel costs', 49, false],
    ['50 km from home: travel costs', 50, true],
  ] as const)('%s', async (_name, distanceFromHomeKm, eligible) => {
    const a = await assessWith(base({ incident: { drivable: false, distanceFromHomeKm, afterFollow: 'journey_home' } }));
    expect(a.afterFollow).toMatchObject({ eligible, limitYen: null });
  });

  it.each([
    ['the home parking place, never', { incident: { place: 'home_parking' } }, ['place_home_parking']],
    ['an earthquake, eruption or tsunami', { incident: { conditions: 'natural_disaster' } }, ['natural_disaster']],
    ['abnormal weather', { incident: { conditions: 'abnormal_weather' } }, ['abnormal_weather']],
    ['illegally modified', { vehicle: { illegallyModified: true } }, ['vehicle_illegally_modified']],
    ['a commercial plate is not a Nissan card exclusion', { vehicle: { plate: 'green' } }, []],
  ] as const)('refused: %s', async (_name, change, refusals) => {
    const a = await assessWith(base(change as RequestChange));
    expect(a.refusals).toEqual(refusals);
  });
});

describe('Japan dates of the rules', () => {
  it.each([
    ['2024-05-10', 2, '2024-07-10'],
    ['2024-12-31', 2, '2025-02-28'],
    ['2023-12-30', 2, '2024-02-29'],
    ['2024-01-31', 1, '2024-02-29'],
    ['2024-11-15', 2, '2025-01-15'],
  ] as const)('%s + %d months is %s (the last day within the period)', (date, months, expected) => {
    expect(addMonths(date, months)).toBe(expected);
  });

  it('fiscal years start on 1 April, Japan time', () => {
    expect(fiscalYearOf(Date.parse('2024-03-31T14:59:59.999Z'), 4)).toBe(2023);
    expect(fiscalYearOf(Date.parse('2024-03-31T15:00:00.000Z'), 4)).toBe(2024);
  });
});
