/**
 * Issue 13: rakuten-drive-assist (seed 002; DOMAIN D5.6, D5.9): the accident-scene rush (accidents
 * only, from 2019-04-01) and, when the car cannot move or was stolen, lodging 10,000 yen and transport
 * 20,000 yen per person per case, pet (dog or cat) hotel 10,000 yen per case; doubled for policies
 * starting 2020-01-01 or later taken out other than on the internet.
 */
import { describe, expect, it } from 'vitest';
import { assessWith, jst, missingFields, request, type RequestChange } from '../helpers/coverage.js';

const RAKUTEN = 'rakuten-drive-assist';
const policy = (policyStart: string, channel: 'internet' | 'other'): RequestChange => ({ member: { policyStart, channel } });
const stuck = (cause: 'accident' | 'breakdown' | 'theft', drivable = false): RequestChange => ({ incident: { cause, drivable, persons: 2 } });
const base = (...changes: RequestChange[]) => request(RAKUTEN, policy('2021-06-01', 'internet'), stuck('accident'), ...changes);

describe('D5.6 the accident-scene rush', () => {
  it.each([
    ['an accident: a guard is sent', stuck('accident'), true],
    ['a breakdown only: no guard (road assistance only)', stuck('breakdown'), false],
    ['a theft: no guard', stuck('theft'), false],
  ] as const)('%s', async (_name, change, sceneRush) => {
    const a = await assessWith(base(change));
    expect(a.sceneRush).toBe(sceneRush);
    expect(a.guidance.some((g) => g.text.includes('warning triangle'))).toBe(sceneRush);
  });

  it("the guard's tasks: safety (triangle, flares), hearing and reporting, photographs, road assistance", async () => {
    const a = await assessWith(base());
    expect(a.guidance.slice(0, 4).map((g) => g.text)).toEqual([expect.stringMatching(/triangle and flares/), expect.stringMatching(/reports/), expect.stringMatching(/photographs/), expect.stringMatching(/road assistance/)]);
  });

  it('accidents before 2019-04-01 (Japan date) are not covered', async () => {
    const a = await assessWith(base({ incident: { at: jst('2019-03-31 23:59') } }));
    expect(a).toMatchObject({ eligible: false, refusals: ['programme_not_in_force'] });
    expect((await assessWith(base({ incident: { at: jst('2019-04-01 00:00') } }))).sceneRush).toBe(true);
  });
});

describe('D5.9 per-person and per-case limits by policy channel and start date', () => {
  it.each([
    ['internet policy from 2021', policy('2021-06-01', 'internet'), { lodgingPerPersonYen: 10000, transportPerPersonYen: 20000, transportPerVehicleYen: 20000 }],
    ['other channel, policy from 2019-12-31', policy('2019-12-31', 'other'), { lodgingPerPersonYen: 10000, transportPerPersonYen: 20000 }],
    ['other channel, policy from 2020-01-01: doubled', policy('2020-01-01', 'other'), { lodgingPerPersonYen: 20000, transportPerPersonYen: 40000, transportPerVehicleYen: 40000 }],
    ['internet policy from 2020-01-01: not doubled', policy('2020-01-01', 'internet'), { lodgingPerPersonYen: 10000, transportPerPersonYen: 20000 }],
  ] as const)('%s', async (_name, change, limits) => {
    const a = await assessWith(base(change));
    expect(a.limits).toMatchObject(limits);
  });

  it.each([
    ['the car cannot move after an accident', stuck('accident', false), true],
    ['the car cannot move after a breakdown', stuck('breakdown', false), true],
    ['the car was stolen (drivable or not)', stuck('theft', true), true],
    ['the car can still be driven', stuck('accident', true), false],
  ] as const)('benefits when %s', async (_name, change, paid) => {
    const a = await assessWith(base(change));
    expect(a.limits!.lodgingPerPersonYen > 0).toBe(paid);
    if (!paid) expect(a.limits).toEqual({ lodgingPerPersonYen: 0, transportPerPersonYen: 0, petHotelPerCaseYen: 0, transportPerVehicleYen: 0 });
  });

  it.each([
    ['a dog', ['dog'], 10000],
    ['a cat, any case', ['Cat'], 10000],
    ['a rabbit only', ['rabbit'], 0],
    ['no pets', [], 0],
  ] as const)('pet hotel per case, dogs and cats only: %s', async (_name, pets, yen) => {
    const a = await assessWith(base({ incident: { pets: [...pets] } }));
    expect(a.limits?.petHotelPerCaseYen).toBe(yen);
  });

  it('the case limits: per person times the persons in the car; the pet hotel per case', async () => {
    const a = await assessWith(base(policy('2020-01-01', 'other'), { incident: { persons: 3, pets: ['dog', 'cat'] } }));
    expect(a.caseLimitsYen).toEqual({ lodging: 60000, transport: 120000, petHotel: 20000 });
  });

  it('after-follow asks answer from the limits: lodging per person, a rental car per vehicle', async () => {
    expect((await assessWith(base({ incident: { afterFollow: 'lodging' } }))).afterFollow).toMatchObject({ eligible: true, limitYen: 10000 });
    expect((await assessWith(base(policy('2020-02-01', 'other'), { incident: { afterFollow: 'rental_car' } }))).afterFollow).toMatchObject({ eligible: true, limitYen: 40000 });
  });

  it('the cause, the persons and the policy are needed', async () => {
    const bare = request(RAKUTEN, { incident: { drivable: false } });
    expect((await missingFields(bare)).sort()).toEqual(['incident.cause', 'incident.persons', 'member.channel', 'member.policyStart']);
  });

  it('a policy start that is no date is refused', async () => {
    expect(await missingFields(base(policy('2021-02-30', 'other')))).toEqual(['member.policyStart']);
  });
});
