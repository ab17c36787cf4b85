/**
 * Issue 13: jcb-car-rescue-365 (seed 001; DOMAIN D5.1-D5.5, D5.8, D5.9) answered by the engine from
 * services/road-coverage/programmes/jcb-car-rescue-365.yaml. Each row is one of the seed's examples or
 * boundaries: given a request, then the answer.
 */
import { describe, expect, it } from 'vitest';
import { assessWith, jst, missingFields, request, workOf, type RequestChange } from '../helpers/coverage.js';

const JCB = 'jcb-car-rescue-365';
const towed = (km: number, at = '2024-06-01 12:00'): RequestChange => ({ incident: { at: jst(at), work: ['tow'], towKm: km, drivable: false } });

describe('D5.2 tow fee: 10 km free, then 500 yen (day) / 600 yen (night) per km, rounded up, tax excluded', () => {
  it.each([
    ['exactly 10 km is free', towed(10), { chargedKm: 0, memberPaysYen: 0 }],
    ['10.1 km charges one whole km', towed(10.1), { chargedKm: 1, band: 'day', yenPerKm: 500, memberPaysYen: 500 }],
    ['0 km is free', towed(0), { chargedKm: 0, memberPaysYen: 0 }],
    ['12.3 km charges 3 km', towed(12.3), { chargedKm: 3, memberPaysYen: 1500 }],
    ['19:59 JST is day', towed(12, '2024-06-01 19:59'), { band: 'day', yenPerKm: 500, memberPaysYen: 1000 }],
    ['20:00 JST is night', towed(12, '2024-06-01 20:00'), { band: 'night', yenPerKm: 600, memberPaysYen: 1200 }],
    ['07:59 JST is night', towed(12, '2024-06-02 07:59'), { band: 'night', yenPerKm: 600 }],
    ['08:00 JST is day', towed(12, '2024-06-02 08:00'), { band: 'day', yenPerKm: 500 }],
    ['expressway distance counts the same (Q24)', { ...towed(15), incident: { ...towed(15).incident, place: 'expressway' } }, { chargedKm: 5, memberPaysYen: 2500 }],
  ] as const)('%s', async (_name, change, tow) => {
    const a = await assessWith(request(JCB, change));
    expect(workOf(a, 'tow')).toMatchObject({ covered: true });
    expect(a.tow).toMatchObject({ freeKm: 10, taxIncluded: false, ...tow });
  });

  it('the band is read in Japan time: 11:00 UTC is 20:00 JST, night', async () => {
    const a = await assessWith(request(JCB, { incident: { at: '2024-06-01T11:00:00.000Z', work: ['tow'], towKm: 11, drivable: false } }));
    expect(a.tow).toMatchObject({ band: 'night', memberPaysYen: 600 });
    expect(a.japanTime).toBe('2024-06-01 20:00 JST');
  });

  it('a car that can be driven is not towed for free (Q1 (2)); the tow fee is then not computed', async () => {
    const a = await assessWith(request(JCB, { incident: { work: ['tow'], towKm: 5, drivable: true } }));
    expect(workOf(a, 'tow')).toMatchObject({ covered: false, reason: expect.stringContaining('can be driven') });
    expect(a.tow).toBeUndefined();
  });

  it('a covered tow needs its distance', async () => {
    expect(await missingFields(request(JCB, { incident: { work: ['tow'], drivable: false } }))).toEqual(['incident.towKm']);
  });
});

describe('D5.3 vehicles: private four-wheelers under 3,000 kg, white or yellow plates, inspected, not illegally modified', () => {
  it.each([
    ['2,999 kg', { vehicle: { weightKg: 2999 } }, []],
    ['3,000 kg', { vehicle: { weightKg: 3000 } }, ['vehicle_too_heavy']],
    ['a white plate', { vehicle: { plate: 'white' } }, []],
    ['a yellow plate (kei)', { vehicle: { plate: 'yellow' } }, []],
    ['a green plate', { vehicle: { plate: 'green' } }, ['vehicle_commercial']],
    ['a black plate', { vehicle: { plate: 'black' } }, ['vehicle_commercial']],
    ['a commercial vehicle', { vehicle: { category: 'commercial' } }, ['vehicle_commercial']],
    ['a two-wheeler', { vehicle: { wheels: 2 } }, ['vehicle_two_wheeler']],
    ['no valid inspection', { vehicle: { inspectionValid: false } }, ['vehicle_no_inspection']],
    ['illegally modified', { vehicle: { illegallyModified: true } }, ['vehicle_illegally_modified']],
  ] as const)('%s', async (_name, change, refusals) => {
    const a = await assessWith(request(JCB, change as RequestChange));
    expect(a.refusals).toEqual(refusals);
    expect(a.eligible).toBe(refusals.length === 0);
  });
});

describe('D5.4 not served: conditions, places, islands, driver, repeated requests', () => {
  it.each([
    ['a listed island (Sado)', { incident: { place: 'island', island: 'Sado' } }, []],
    ['a listed island in any case, hyphen or not (higashi nomi)', { incident: { place: 'island', island: 'higashi nomi' } }, []],
    ['Amakusa Shimoshima', { incident: { place: 'island', island: 'AMAKUSA SHIMOSHIMA' } }, []],
    ['an unlisted island (Rishiri)', { incident: { place: 'island', island: 'Rishiri' } }, ['island_not_served']],
    ['off the road', { incident: { place: 'off_road' } }, ['place_off_road']],
    ['a closed road', { incident: { place: 'closed_road' } }, ['place_closed_road']],
    ['the home parking place is served', { incident: { place: 'home_parking' } }, []],
    ['abnormal weather', { incident: { conditions: 'abnormal_weather' } }, ['abnormal_weather']],
    ['a natural disaster', { incident: { conditions: 'natural_disaster' } }, ['natural_disaster']],
    ['drunk driving', { incident: { driverCondition: 'drunk' } }, ['driver_drunk']],
    ['unlicensed driving', { incident: { driverCondition: 'unlicensed' } }, ['driver_unlicensed']],
    ['driving under drugs', { incident: { driverCondition: 'drugs' } }, ['driver_drugs']],
    ['on purpose', { incident: { intentional: true } }, ['intentional']],
    ['one similar request in 30 days', { incident: { similarRequestsRecently: 1 } }, []],
    ['two similar requests in 30 days', { incident: { similarRequestsRecently: 2 } }, ['repeated_requests']],
    ['several reasons at once', { vehicle: { plate: 'green', weightKg: 3500 }, incident: { driverCondition: 'drunk' } }, ['vehicle_commercial', 'vehicle_too_heavy', 'driver_drunk']],
  ] as const)('%s', async (_name, change, refusals) => {
    const a = await assessWith(request(JCB, change as RequestChange));
    expect(a.refusals).toEqual(refusals);
    for (const code of refusals) expect(a.explanations).toContainEqual(expect.objectContaining({ about: 'refusals', code, text: expect.any(String), rule: expect.stringMatching(/^D5\./) }));
  });

  it('on an island the island must be named', async () => {
    expect(await missingFields(request(JCB, { incident: { place: 'island' } }))).toEqual(['incident.island']);
  });

  it('a refused request covers no work and computes no tow', async () => {
    const a = await assessWith(request(JCB, towed(30), { vehicle: { plate: 'black' } }));
    expect(workOf(a, 'tow')).toMatchObject({ covered: false, reason: expect.stringContaining('vehicle_commercial') });
    expect(a.tow).toBeUndefined();
  });
});

describe('D5.1 light work on the spot', () => {
  it.each([
    ['battery jump', { work: ['battery_jump'] }, true],
    ['key locked in the cabin', { work: ['key_locked_in_cabin'] }, true],
    ['key locked in the trunk', { work: ['key_locked_in_trunk'] }, false],
    ['spare tyre', { work: ['spare_tyre'] }, true],
    ['fuel delivery (fuel paid by the member)', { work: ['fuel_delivery'] }, true],
    ['small fixes', { work: ['minor_fix'] }, true],
    ['one wheel dropped 1 m', { work: ['wheel_drop'], wheelsDropped: 1, dropMetres: 1 }, true],
    ['one wheel dropped 1.1 m', { work: ['wheel_drop'], wheelsDropped: 1, dropMetres: 1.1 }, false],
    ['two wheels dropped 0.3 m', { work: ['wheel_drop'], wheelsDropped: 2, dropMetres: 0.3 }, false],
  ] as const)('%s', async (_name, incident, covered) => {
    const a = await assessWith(request(JCB, { incident } as RequestChange));
    expect(a.work).toEqual([expect.objectContaining({ kind: incident.work[0], covered, reason: expect.any(String), rule: expect.any(String) })]);
  });

  it('fuel delivery says who pays for the fuel', async () => {
    const a = await assessWith(request(JCB, { incident: { work: ['fuel_delivery'] } }));
    expect(workOf(a, 'fuel_delivery')?.reason).toMatch(/10 L.*paid by the member/);
  });

  it('a wheel drop needs the wheels and the height unless two wheels already decide it', async () => {
    expect(await missingFields(request(JCB, { incident: { work: ['wheel_drop'] } }))).toEqual(['incident.wheelsDropped', 'incident.dropMetres']);
    const a = await assessWith(request(JCB, { incident: { work: ['wheel_drop'], wheelsDropped: 2 } }));
    expect(workOf(a, 'wheel_drop')).toMatchObject({ covered: false });
  });
});

describe('D5.5 after-follow: 100 km or more from home, the car cannot move, one option', () => {
  const stranded = (distanceFromHomeKm: number, afterFollow: 'rental_car' | 'lodging' | 'journey_home', drivable = false): RequestChange => ({ incident: { distanceFromHomeKm, afterFollow, drivable } });
  it.each([
    ['99 km: none', stranded(99, 'lodging'), { eligible: false, limitYen: null }],
    ['100 km: lodging up to 15,000 yen', stranded(100, 'lodging'), { eligible: true, limitYen: 15000 }],
    ['journey home up to 20,000 yen', stranded(250, 'journey_home'), { eligible: true, limitYen: 20000 }],
    ['rental car: limited in kind (1,800 cc, 6 h), not in yen', stranded(250, 'rental_car'), { eligible: true, limitYen: null, reason: expect.stringContaining('1,800 cc') }],
    ['the car can be driven: none', stranded(250, 'lodging', true), { eligible: false, reason: expect.stringContaining('can be driven') }],
  ] as const)('%s', async (_name, change, expected) => {
    const a = await assessWith(request(JCB, change));
    expect(a.afterFollow).toMatchObject(expected);
  });

  it('says the options do not combine', async () => {
    const a = await assessWith(request(JCB, stranded(120, 'lodging')));
    expect(a.afterFollow?.reason).toContain('one option only: not also rental car or journey home');
  });

  it('a refused request gets none', async () => {
    const a = await assessWith(request(JCB, stranded(120, 'lodging'), { vehicle: { wheels: 2 } }));
    expect(a.afterFollow).toMatchObject({ eligible: false });
  });
});

describe('D5.8 arrival and the expressway call', () => {
  it('a service car aims at about 30 minutes; on the expressway the caller gives road, direction and kilometre post', async () => {
    const road = await assessWith(request(JCB));
    const expressway = await assessWith(request(JCB, { incident: { place: 'expressway' } }));
    expect(road.targetArrivalMinutes).toBe(30);
    expect(road.guidance.map((g) => g.text).join(' ')).not.toContain('kilometre post');
    expect(expressway.guidance[0]).toMatchObject({ rule: expect.stringContaining('D5.8'), text: expect.stringContaining('kilometre post') });
  });
});
