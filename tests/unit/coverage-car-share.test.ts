/**
 * Issue 13: car-share (seed 004; DOMAIN D5.9, D6): no insurance cover without a report to the police
 * and the company; a tyre-only loss is the member's cost; NOC 20,000 yen if the car is driven back to
 * its station, 50,000 yen if it cannot be driven (the tow to the company's garage at the member's
 * cost); and what to do, in order (D6).
 */
import { describe, expect, it } from 'vitest';
import { assessWith, missingFields, request, workOf, type RequestChange } from '../helpers/coverage.js';

const reported = (police: boolean, company: boolean): RequestChange => ({ incident: { reportedToPolice: police, reportedToCompany: company } });
const base = (...changes: RequestChange[]) => request('car-share', reported(true, true), ...changes);

describe('D5.9 insurance and the non-operation charge', () => {
  it.each([
    ['reported to both, an accident, driven back', { incident: { cause: 'accident', drivable: true } }, { insuranceApplies: true, insuranceExclusions: [], nocYen: 20000 }],
    ['reported to both, cannot be driven', { incident: { drivable: false } }, { insuranceApplies: true, nocYen: 50000 }],
    ['not reported to the police', reported(false, true), { insuranceApplies: false, insuranceExclusions: ['not_reported_to_police'] }],
    ['not reported to the company', reported(true, false), { insuranceApplies: false, insuranceExclusions: ['not_reported_to_company'] }],
    ['reported to neither', reported(false, false), { insuranceApplies: false, insuranceExclusions: ['not_reported_to_police', 'not_reported_to_company'] }],
    ['a tyre-only loss', { incident: { tyreOnly: true, cause: 'breakdown' } }, { insuranceApplies: false, insuranceExclusions: ['tyre_only'], nocYen: 20000 }],
    ['a breakdown (no damage by the member): no NOC', { incident: { cause: 'breakdown', drivable: false } }, { insuranceApplies: true, nocYen: 0 }],
    ['drunk driving', { incident: { driverCondition: 'drunk' } }, { insuranceApplies: false, insuranceExclusions: ['driver_drunk'] }],
    ['off the roadway (a riverbed)', { incident: { place: 'off_road' } }, { insuranceApplies: false, insuranceExclusions: ['place_off_road'] }],
    ['an earthquake', { incident: { conditions: 'natural_disaster' } }, { insuranceApplies: false, insuranceExclusions: ['natural_disaster'] }],
  ] as const)('%s', async (_name, change, expected) => {
    const a = await assessWith(base(change as RequestChange));
    expect(a).toMatchObject({ eligible: true, ...expected });
  });

  it('the tow to the company garage and the spare tyre are the member\'s cost', async () => {
    const a = await assessWith(base({ incident: { work: ['tow', 'spare_tyre'], drivable: false, towKm: 40 } }));
    expect(workOf(a, 'tow')).toMatchObject({ covered: false, reason: expect.stringContaining("member's cost") });
    expect(workOf(a, 'spare_tyre')).toMatchObject({ covered: false });
    expect(a.tow).toBeUndefined();
  });

  it('the reports are needed to answer', async () => {
    expect(await missingFields(request('car-share'))).toEqual(['incident.reportedToPolice', 'incident.reportedToCompany']);
  });
});

describe('D6 what to do, in order', () => {
  it('a flat tyre on the expressway: safety, 119 if injured, warn the cars behind, #9910, the trouble desk, the spare', async () => {
    const a = await assessWith(base({ incident: { place: 'expressway', work: ['spare_tyre'], tyreOnly: true, cause: 'breakdown' } }));
    expect(a.guidance.map((g) => g.text)).toEqual([
      expect.stringMatching(/^Safety first/),
      expect.stringMatching(/If anyone is injured, call 119/),
      expect.stringMatching(/hazard lights.*warning triangle.*flare/),
      expect.stringMatching(/#9910/),
      expect.stringMatching(/trouble desk: 0120-094-024/),
      expect.stringMatching(/spare tyre/),
    ]);
    for (const g of a.guidance) expect(g.rule).toContain('D6');
  });

  it('an accident on a road with someone injured: 119, then 110 for the accident certificate, then the desk', async () => {
    const a = await assessWith(base({ incident: { cause: 'accident', injured: true } }));
    expect(a.guidance.map((g) => g.text)).toEqual([
      expect.stringMatching(/^Safety first/),
      expect.stringMatching(/Someone is injured: call 119/),
      expect.stringMatching(/110.*accident certificate/),
      expect.stringMatching(/trouble desk/),
    ]);
  });
});
