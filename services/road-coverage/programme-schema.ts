import { Type, type Static } from '@sinclair/typebox';
import { AFTER_FOLLOW_KINDS, COVERAGE_WORK, coverageRequestPaths, JapanDate, ProgrammeId } from '../../protocol/index.js';

/**
 * A programme file (services/road-coverage/programmes/<id>.yaml), checked at load; every error names
 * `file:line:col`. Unknown keys are errors: a misspelt rule must not silently vanish.
 * The rules of the first version are complete; each later version holds only what changes from the
 * one before (maps merge key by key, lists and values replace, `null` removes): see README.md.
 */
const strict = { additionalProperties: false } as const;
const Text = Type.String({ minLength: 1, maxLength: 1000 });
/** Where a rule comes from: `D5.2; seed 001 Q17`. */
const Rule = Type.Optional(Type.String({ minLength: 1, maxLength: 200 }));
const Yen = Type.Integer({ minimum: 0 });
const Code = Type.String({ pattern: '^[a-z0-9_]+$', maxLength: 64 });
const HHMM = Type.String({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d$' });

const Scalar = Type.Union([Type.String(), Type.Number(), Type.Boolean()]);
const Matcher = Type.Union([
  Scalar,
  Type.Array(Scalar, { minItems: 1 }),
  Type.Object(
    {
      in: Type.Optional(Type.Array(Scalar, { minItems: 1 })),
      notIn: Type.Optional(Type.Array(Scalar, { minItems: 1 })),
      atLeast: Type.Optional(Type.Number()),
      atMost: Type.Optional(Type.Number()),
      above: Type.Optional(Type.Number()),
      below: Type.Optional(Type.Number()),
      present: Type.Optional(Type.Boolean()),
    },
    { ...strict, minProperties: 1 },
  ),
]);
/** Keys are request fields (protocol/coverage.ts), so a condition on a field that does not exist fails at load. */
const Condition = Type.Object(Object.fromEntries(coverageRequestPaths().map((p) => [p, Type.Optional(Matcher)])), { ...strict, minProperties: 1 });
const When = Type.Array(Condition, { minItems: 1 });

const Refusal = Type.Object({ rule: Rule, reason: Text, when: When }, strict);
const Unless = Type.Object({ rule: Rule, reason: Text, when: When }, strict);
const WorkRule = Type.Object({ covered: Type.Boolean(), rule: Rule, reason: Text, unless: Type.Optional(Type.Array(Unless)) }, strict);

const TowTariff = Type.Object(
  {
    rule: Rule,
    freeKm: Type.Number({ minimum: 0 }),
    yenPerKm: Type.Object({ day: Yen, night: Yen }, strict),
    /** Day is dayStarts <= t < nightStarts, Japan time; night the rest. */
    dayStarts: HHMM,
    nightStarts: HHMM,
    taxIncluded: Type.Boolean(),
    note: Type.Optional(Text),
  },
  strict,
);

/** No `limitYen`: paid without a limit in yen (the limit is in kind, e.g. a car up to 1,800 cc for 6 hours). */
const AfterFollowOption = Type.Object({ limitYen: Type.Optional(Yen), note: Type.Optional(Text) }, strict);
const AfterFollow = Type.Object(
  {
    rule: Rule,
    minDistanceFromHomeKm: Type.Number({ minimum: 0 }),
    requireNotDrivable: Type.Boolean(),
    /** One option only (D5.5): said in the answer; the request names one option anyway. */
    oneOnly: Type.Boolean(),
    options: Type.Object(Object.fromEntries(AFTER_FOLLOW_KINDS.map((k) => [k, Type.Optional(AfterFollowOption)])), strict),
    note: Type.Optional(Text),
  },
  strict,
);

const Compensation = Type.Object(
  {
    rule: Rule,
    oncePerFiscalYear: Type.Boolean(),
    fiscalYearStartsMonth: Type.Integer({ minimum: 1, maximum: 12 }),
    requireApproval: Type.Boolean(),
    claimWithinMonths: Type.Integer({ minimum: 1, maximum: 120 }),
    note: Type.Optional(Text),
  },
  strict,
);

const AccidentAssist = Type.Object(
  {
    sceneRush: Type.Object({ rule: Rule, reason: Text, when: When, tasks: Type.Array(Text) }, strict),
    benefits: Type.Object(
      {
        rule: Rule,
        reason: Text,
        /** When lodging, transport and the pet hotel are paid at all (the car cannot move, or was stolen). */
        when: When,
        lodgingPerPersonYen: Yen,
        transportPerPersonYen: Yen,
        transportPerVehicleYen: Yen,
        petHotelPerCaseYen: Yen,
        petKinds: Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }),
        /** Every limit multiplied by `factor` for policies starting on or after the date through these channels. */
        increased: Type.Object({ rule: Rule, policyStartFrom: JapanDate, channels: Type.Array(Type.Union([Type.Literal('internet'), Type.Literal('other')]), { minItems: 1 }), factor: Type.Number({ minimum: 0 }) }, strict),
      },
      strict,
    ),
  },
  strict,
);

const CarShare = Type.Object(
  {
    noc: Type.Object({ rule: Rule, reason: Text, when: When, drivableYen: Yen, notDrivableYen: Yen }, strict),
    /** The insurance does not apply when one of these holds. */
    insuranceExclusions: Type.Record(Code, Refusal),
  },
  strict,
);

const Guidance = Type.Object({ rule: Rule, text: Text, when: Type.Optional(When) }, strict);

export const ProgrammeRules = Type.Object(
  {
    /** Refusal code -> when the programme refuses (D5.3, D5.4): the request is then not served at all. */
    refusals: Type.Record(Code, Refusal),
    work: Type.Object(Object.fromEntries(COVERAGE_WORK.map((k) => [k, Type.Optional(WorkRule)])), strict),
    tow: Type.Optional(TowTariff),
    afterFollow: Type.Optional(AfterFollow),
    compensation: Type.Optional(Compensation),
    accidentAssist: Type.Optional(AccidentAssist),
    carShare: Type.Optional(CarShare),
    targetArrivalMinutes: Type.Optional(Type.Integer({ minimum: 1 })),
    guidance: Type.Optional(Type.Array(Guidance)),
  },
  strict,
);
export type ProgrammeRules = Static<typeof ProgrammeRules>;

/** The file as written: later versions' `rules` are changes, checked once merged. */
export const ProgrammeFile = Type.Object(
  {
    id: ProgrammeId,
    name: Text,
    source: Type.Optional(Text),
    versions: Type.Array(Type.Object({ effectiveFrom: JapanDate, note: Type.Optional(Text), rules: Type.Record(Type.String(), Type.Unknown()) }, strict), { minItems: 1 }),
  },
  strict,
);
export type ProgrammeFile = Static<typeof ProgrammeFile>;

export interface ProgrammeVersion {
  effectiveFrom: string;
  note?: string;
  rules: ProgrammeRules;
}

export interface Programme {
  id: string;
  name: string;
  source?: string;
  /** Where it was read from. */
  file: string;
  /** Oldest first, each complete. */
  versions: ProgrammeVersion[];
}
