/**
 * D4.3: the severity model (services/incident/severity/) against its published calibration points, and
 * the properties DOMAIN and the contract ask of it, over random inputs (fast-check).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Severity, validator, type ImpactDirection, type SeatSide } from '../../protocol/index.js';
import { SEVERITY_MODEL, assessSeverity, loadSeverityModel, seatProbability, sideFor, type SeatInputs } from '../../services/incident/severity/index.js';

const model = SEVERITY_MODEL;
const SIDES: SeatSide[] = ['front', 'near', 'far', 'rear'];
const DIRECTIONS: ImpactDirection[] = ['front', 'rear', 'left', 'right', 'rollover'];

const arbSeat = fc.record({
  side: fc.constantFrom(...SIDES),
  deltaVKmh: fc.double({ min: 0, max: 300, noNaN: true }),
  belted: fc.constantFrom(true, false, undefined),
  multipleImpacts: fc.boolean(),
  rollover: fc.boolean(),
  age: fc.option(fc.integer({ min: 0, max: 130 }), { nil: undefined }),
}) satisfies fc.Arbitrary<SeatInputs>;

const arbCrash = fc.record(
  {
    deltaVKmh: fc.double({ min: 0, max: 300, noNaN: true }),
    direction: fc.constantFrom(...DIRECTIONS),
    multipleImpacts: fc.boolean(),
    rollover: fc.boolean(),
    seatbelts: fc.record({ driver: fc.boolean(), passenger: fc.boolean() }, { requiredKeys: [] }),
    occupantAges: fc.array(fc.integer({ min: 0, max: 130 }), { maxLength: 5 }),
    occupants: fc.integer({ min: 0, max: 9 }),
  },
  { requiredKeys: [] },
);

describe('D4.3 severity model: calibration', () => {
  it.each(model.calibration.points)('D4.3 reproduces the published MAIS 3+ risk at $deltaVKmh km/h, $side: $published (Augenstein et al., PMC3217552)', ({ side, deltaVKmh, published }) => {
    // the reference occupant of the calibration: belted, one impact, no rollover, age not given
    const ours = seatProbability(model, { side, deltaVKmh, belted: true, multipleImpacts: false, rollover: false });
    expect(Math.abs(ours - published)).toBeLessThan(0.0005);
  });

  it('D4.3 the calibration points are the four published ones of DOMAIN.md', () => {
    expect(model.calibration.points.map((p) => [p.side, p.deltaVKmh, p.published])).toEqual([
      ['front', 48, 0.389],
      ['near', 48, 0.838],
      ['far', 48, 0.478],
      ['rear', 48, 0.199],
    ]);
  });

  it('the model file is versioned, names its form, and every coefficient has a source', () => {
    expect(loadSeverityModel()).toEqual(model);
    expect(model.version).toBeGreaterThanOrEqual(1);
    for (const key of ['intercept', 'deltaV.exponent', 'unbelted', 'multipleImpacts', 'rollover', 'age', 'bands']) {
      expect(model.sources.map((s) => s.for), key).toContain(key);
    }
  });
});

describe('D4.3 severity model: properties', () => {
  it('D4.3 monotone in delta-V: a harder crash is never estimated less severe, whatever else is known', () => {
    fc.assert(
      fc.property(arbSeat, fc.double({ min: 0, max: 100, noNaN: true }), (seat, more) => {
        expect(seatProbability(model, { ...seat, deltaVKmh: seat.deltaVKmh + more })).toBeGreaterThanOrEqual(seatProbability(model, seat));
      }),
    );
    fc.assert(
      fc.property(arbCrash, fc.double({ min: 0, max: 100, noNaN: true }), (crash, more) => {
        const base = assessSeverity(model, { ...crash, deltaVKmh: crash.deltaVKmh ?? 30 }, 0.1).probability;
        expect(assessSeverity(model, { ...crash, deltaVKmh: (crash.deltaVKmh ?? 30) + more }, 0.1).probability).toBeGreaterThanOrEqual(base);
      }),
    );
  });

  it('D4.3 at delta-V 10 km/h or less a belted occupant stays under 0.05, whatever the direction, impacts, rollover or age', () => {
    fc.assert(
      fc.property(arbSeat, fc.double({ min: 0, max: 10, noNaN: true }), (seat, deltaVKmh) => {
        expect(seatProbability(model, { ...seat, deltaVKmh, belted: true })).toBeLessThan(0.05);
      }),
    );
    // and the whole case, both front seats belted, any direction (a rollover too), age as old as it gets
    fc.assert(
      fc.property(arbCrash, fc.double({ min: 0, max: 10, noNaN: true }), (crash, deltaVKmh) => {
        const s = assessSeverity(model, { ...crash, deltaVKmh, seatbelts: { driver: true, passenger: true } }, 0.1);
        expect(s.probability).toBeLessThan(0.05);
        expect(s.band).toBe('low');
      }),
    );
  });

  it('D4.3 unknown inputs take the cautious value: belt unknown = unbelted, direction unknown = the worst side, delta-V unknown = 48 km/h', () => {
    fc.assert(
      fc.property(arbSeat, (seat) => {
        expect(seatProbability(model, { ...seat, belted: undefined })).toBe(seatProbability(model, { ...seat, belted: false }));
        expect(seatProbability(model, { ...seat, belted: undefined })).toBeGreaterThan(seatProbability(model, { ...seat, belted: true }));
      }),
    );
    fc.assert(
      fc.property(arbCrash, (crash) => {
        const { direction: _d, ...rest } = crash;
        const unknown = assessSeverity(model, rest, 0.1);
        // every planar direction (a `rollover` direction adds the rollover term on top: it says more, not less)
        for (const direction of ['front', 'rear', 'left', 'right'] as const) expect(unknown.probability).toBeGreaterThanOrEqual(assessSeverity(model, { ...rest, direction }, 0.1).probability);
        expect(unknown.inputs.assumed).toContain('direction');
      }),
    );
    const noDeltaV = assessSeverity(model, { direction: 'front', seatbelts: { driver: true }, occupants: 1 }, 0.1);
    expect(noDeltaV.inputs).toMatchObject({ deltaVKmh: 48, assumed: ['deltaVKmh'] });
    expect(noDeltaV.probability).toBeCloseTo(0.389, 3);
  });

  it('D4.3 right-hand drive: a right impact is the driver\'s near side and the front passenger\'s far side; left the other way round', () => {
    expect([sideFor('right', 'driver'), sideFor('right', 'passenger'), sideFor('left', 'driver'), sideFor('left', 'passenger')]).toEqual(['near', 'far', 'far', 'near']);
    const right = assessSeverity(model, { deltaVKmh: 40, direction: 'right', seatbelts: { driver: true, passenger: true }, occupants: 2 }, 0.1);
    const [driver, passenger] = right.inputs.seats;
    expect(driver).toMatchObject({ seat: 'driver', side: 'near' });
    expect(passenger).toMatchObject({ seat: 'passenger', side: 'far' });
    expect(driver!.probability).toBeGreaterThan(passenger!.probability);
  });

  it('D4.3 per seat: the driver, the front passenger when occupants >= 2 (or not reported); the case shows the highest', () => {
    fc.assert(
      fc.property(arbCrash, (crash) => {
        const s = assessSeverity(model, crash, 0.1);
        expect(validator(Severity).issues(s)).toEqual([]);
        const expected = crash.occupants === undefined || crash.occupants >= 2 ? ['driver', 'passenger'] : ['driver'];
        expect(s.inputs.seats.map((x) => x.seat)).toEqual(expected);
        expect(s.probability).toBe(Math.max(...s.inputs.seats.map((x) => x.probability)));
      }),
    );
    // a left impact hurts the passenger most: with a passenger aboard the case shows the passenger's estimate
    const alone = assessSeverity(model, { deltaVKmh: 40, direction: 'left', seatbelts: { driver: true, passenger: true }, occupants: 1 }, 0.1);
    const two = assessSeverity(model, { deltaVKmh: 40, direction: 'left', seatbelts: { driver: true, passenger: true }, occupants: 2 }, 0.1);
    expect(two.probability).toBeGreaterThan(alone.probability);
    expect(two.inputs.seats[1]).toMatchObject({ seat: 'passenger', side: 'near', probability: two.probability });
  });

  it('D4.3 the ages are in seat order (driver, passenger); an older occupant is estimated no less at risk', () => {
    fc.assert(
      fc.property(arbSeat, fc.integer({ min: 0, max: 130 }), fc.integer({ min: 0, max: 50 }), (seat, age, older) => {
        expect(seatProbability(model, { ...seat, age: age + older })).toBeGreaterThanOrEqual(seatProbability(model, { ...seat, age }));
      }),
    );
    const s = assessSeverity(model, { deltaVKmh: 30, direction: 'front', seatbelts: { driver: true, passenger: true }, occupantAges: [80, 20], occupants: 2 }, 0.1);
    expect(s.inputs.seats.map((x) => x.age)).toEqual([80, 20]);
    expect(s.inputs.seats[0]!.probability).toBeGreaterThan(s.inputs.seats[1]!.probability);
  });

  it('D4.3 doctor_heli is recommended at the threshold and above; the bands: high >= 0.20, elevated >= 0.05, low below', () => {
    fc.assert(
      fc.property(arbCrash, fc.double({ min: 0.01, max: 1, noNaN: true }), (crash, threshold) => {
        const s = assessSeverity(model, crash, threshold);
        expect(s.recommend).toEqual(s.probability >= threshold ? ['doctor_heli'] : []);
        expect(s.band).toBe(s.probability >= 0.2 ? 'high' : s.probability >= 0.05 ? 'elevated' : 'low');
      }),
    );
  });

  it('a model file that breaks its schema (a negative delta-V exponent: not monotone) is refused at load', async () => {
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const path = join(mkdtempSync(join(tmpdir(), 'sev-')), 'model.json');
    writeFileSync(path, JSON.stringify({ ...model, deltaV: { ...model.deltaV, exponent: -1 } }));
    expect(() => loadSeverityModel(path)).toThrow(/deltaV\/exponent/);
  });
});
