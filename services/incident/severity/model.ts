import { Type, type Static } from '@sinclair/typebox';
import type { ImpactDirection, SeatSeverity, SeatSide, Seatbelts, Severity, SeverityBand } from '../../../protocol/index.js';

const Side = Type.Union([Type.Literal('front'), Type.Literal('near'), Type.Literal('far'), Type.Literal('rear')]);
const Probability = Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1 });

/** The shape of `model.json` (README.md says what each number is and where it comes from). */
export const SeverityModelSchema = Type.Object({
  name: Type.String({ pattern: '^[a-z0-9-]+$' }),
  version: Type.Integer({ minimum: 1 }),
  outcome: Type.String(),
  form: Type.String(),
  deltaV: Type.Object({
    referenceKmh: Type.Number({ exclusiveMinimum: 0 }),
    /** Must be positive: the estimate rises with delta-V (D4.3). */
    exponent: Type.Number({ exclusiveMinimum: 0 }),
    floorKmh: Type.Number({ exclusiveMinimum: 0 }),
    unknownKmh: Type.Number({ exclusiveMinimum: 0 }),
  }),
  intercept: Type.Object({ front: Type.Number(), near: Type.Number(), far: Type.Number(), rear: Type.Number() }),
  unknownSide: Side,
  unbelted: Type.Number({ minimum: 0 }),
  multipleImpacts: Type.Number({ minimum: 0 }),
  rollover: Type.Number({ minimum: 0 }),
  age: Type.Object({ fromYears: Type.Number({ minimum: 0 }), toYears: Type.Number({ minimum: 0 }), perYear: Type.Number({ minimum: 0 }) }),
  bands: Type.Object({ high: Probability, elevated: Probability }),
  calibration: Type.Object({
    reference: Type.String(),
    points: Type.Array(Type.Object({ side: Side, deltaVKmh: Type.Number({ exclusiveMinimum: 0 }), published: Probability }), { minItems: 1 }),
    source: Type.String(),
  }),
  sources: Type.Array(Type.Object({ for: Type.String(), kind: Type.Union([Type.Literal('published'), Type.Literal('judgement')]), cite: Type.String() })),
});
export type SeverityModel = Static<typeof SeverityModelSchema>;

/** What a crash event tells about the crash and the people in the car (contract "Richer crash data"). */
export interface CrashInputs {
  deltaVKmh?: number | undefined;
  direction?: ImpactDirection | undefined;
  multipleImpacts?: boolean | undefined;
  rollover?: boolean | undefined;
  seatbelts?: Seatbelts | undefined;
  /** Seat order: driver, front passenger, then the rest. */
  occupantAges?: number[] | undefined;
  /** undefined: not reported. */
  occupants?: number | undefined;
}

/** One seat's inputs to the model. */
export interface SeatInputs {
  side: SeatSide;
  deltaVKmh: number;
  /** undefined: not reported, taken as unbelted (the cautious value, D4.3). */
  belted?: boolean | undefined;
  multipleImpacts: boolean;
  rollover: boolean;
  age?: number | undefined;
}

export type Seat = 'driver' | 'passenger';

/**
 * Where the crash came from, seen from a front seat. Cars in Japan are right-hand drive: the driver
 * sits on the right, so a `right` impact is the driver's near side and the front passenger's far side.
 * null: not known (no direction, or a rollover without a planar direction).
 */
export function sideFor(direction: ImpactDirection | undefined, seat: Seat): SeatSide | null {
  switch (direction) {
    case 'front':
      return 'front';
    case 'rear':
      return 'rear';
    case 'right':
      return seat === 'driver' ? 'near' : 'far';
    case 'left':
      return seat === 'driver' ? 'far' : 'near';
    default:
      return null;
  }
}

/** The model's log-odds for one seat. */
export function logit(model: SeverityModel, s: SeatInputs): number {
  const { deltaV, age } = model;
  const dv = Math.max(s.deltaVKmh, deltaV.floorKmh);
  let x = model.intercept[s.side] + deltaV.exponent * Math.log(dv / deltaV.referenceKmh);
  if (s.belted !== true) x += model.unbelted;
  if (s.multipleImpacts) x += model.multipleImpacts;
  if (s.rollover) x += model.rollover;
  if (s.age !== undefined) x += age.perYear * Math.min(Math.max(s.age - age.fromYears, 0), age.toYears - age.fromYears);
  return x;
}

/** The probability (MAIS 3+) for one seat. */
export function seatProbability(model: SeverityModel, s: SeatInputs): number {
  return 1 / (1 + Math.exp(-logit(model, s)));
}

export function bandOf(model: SeverityModel, probability: number): SeverityBand {
  if (probability >= model.bands.high) return 'high';
  if (probability >= model.bands.elevated) return 'elevated';
  return 'low';
}

/** Four decimals: what the operator reads, and what the band and the recommendation are decided on. */
function round(p: number): number {
  return Math.round(p * 10_000) / 10_000;
}

/**
 * D4.3: the estimate for each front seat assessed (the driver; the front passenger when `occupants` >= 2,
 * or when the count is not reported), the case showing the highest. Inputs not reported take their
 * cautious value and are named in `inputs.assumed`: delta-V the model's `unknownKmh`, the direction the
 * model's `unknownSide` (the near side, the worst), a belt unbelted. `doctor_heli` is recommended at
 * `doctorHeliThreshold` (DOCTOR_HELI_THRESHOLD) or above.
 */
export function assessSeverity(model: SeverityModel, crash: CrashInputs, doctorHeliThreshold: number): Severity {
  const assumed: string[] = [];
  const deltaVKmh = crash.deltaVKmh ?? model.deltaV.unknownKmh;
  if (crash.deltaVKmh === undefined) assumed.push('deltaVKmh');
  const rollover = crash.rollover === true || crash.direction === 'rollover';
  const multipleImpacts = crash.multipleImpacts === true;
  if (sideFor(crash.direction, 'driver') === null) assumed.push('direction');
  const seats: Seat[] = ['driver'];
  if (crash.occupants === undefined || crash.occupants >= 2) seats.push('passenger');
  if (crash.occupants === undefined) assumed.push('occupants');

  const assessed: SeatSeverity[] = seats.map((seat, i) => {
    const belted = crash.seatbelts?.[seat];
    if (belted === undefined) assumed.push(`seatbelts.${seat}`);
    const age = crash.occupantAges?.[i];
    const side = sideFor(crash.direction, seat) ?? model.unknownSide;
    const probability = round(seatProbability(model, { side, deltaVKmh, belted, multipleImpacts, rollover, age }));
    return { seat, side, belted: belted ?? null, age: age ?? null, probability };
  });
  const probability = Math.max(...assessed.map((s) => s.probability));
  return {
    probability,
    band: bandOf(model, probability),
    recommend: probability >= doctorHeliThreshold ? ['doctor_heli'] : [],
    model: `${model.name}@${model.version}`,
    inputs: { deltaVKmh, direction: crash.direction ?? null, multipleImpacts, rollover, seats: assessed, assumed },
  };
}

/** The more severe of two estimates (a later crash joining a live call may be the worse one). */
export function moreSevere(a: Severity | undefined, b: Severity): Severity {
  return a !== undefined && a.probability >= b.probability ? a : b;
}
