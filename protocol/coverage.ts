import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { IsoTime } from './common.js';

/**
 * Contract "Coverage" (DOMAIN D5, D6): `POST /v1/coverage/assess` answers what a road-service
 * programme covers for one incident and what the member pays; `GET /v1/coverage/programmes` lists the
 * programmes and their versions. The programmes themselves are data files read by the service
 * (services/road-coverage/programmes/), not part of the wire contract.
 *
 * Requests are strict (an unknown field is a 400): a typo such as `towkm` must not silently turn a
 * charged tow into a free one. Answers may grow fields; clients ignore what they do not know.
 */
const strict = { additionalProperties: false } as const;
const literals = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));

/** A calendar date in Japan (Asia/Tokyo), `YYYY-MM-DD`: effective dates, fiscal years, claim deadlines. */
export const JapanDate = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'a calendar date in Japan (Asia/Tokyo)', examples: ['2024-04-01'] });
export type JapanDate = Static<typeof JapanDate>;

/** A programme's id: its file name (`services/road-coverage/programmes/<id>.yaml`). */
export const ProgrammeId = Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z0-9]+(-[a-z0-9]+)*$', examples: ['jcb-car-rescue-365'] });

export const COVERAGE_WORK = ['battery_jump', 'key_locked_in_cabin', 'key_locked_in_trunk', 'spare_tyre', 'fuel_delivery', 'wheel_drop', 'minor_fix', 'tow'] as const;
export type CoverageWork = (typeof COVERAGE_WORK)[number];
export const CoverageWorkKind = literals(COVERAGE_WORK);

export const COVERAGE_PLACES = ['road', 'expressway', 'home_parking', 'off_road', 'closed_road', 'island'] as const;
export const AFTER_FOLLOW_KINDS = ['rental_car', 'lodging', 'journey_home'] as const;
export type AfterFollowKind = (typeof AFTER_FOLLOW_KINDS)[number];
export const AfterFollowKindSchema = literals(AFTER_FOLLOW_KINDS);
export const INCIDENT_CAUSES = ['accident', 'breakdown', 'theft'] as const;
export const DAY_BANDS = ['day', 'night'] as const;
export type DayBand = (typeof DAY_BANDS)[number];

/** The vehicle as its inspection certificate (車検証) and plate show it (D5.3). */
export const CoverageVehicle = Type.Object(
  {
    category: literals(['private', 'commercial']),
    wheels: Type.Union([Type.Literal(2), Type.Literal(4)]),
    /** Vehicle weight (車両重量) from the inspection certificate. */
    weightKg: Type.Number({ minimum: 0, maximum: 100_000 }),
    /** White / yellow: private (普通・小型 / 軽); green / black: commercial (seed 001 Q3). */
    plate: literals(['white', 'yellow', 'green', 'black']),
    inspectionValid: Type.Boolean(),
    illegallyModified: Type.Boolean(),
  },
  strict,
);

export const CoverageIncident = Type.Object(
  {
    /** When the trouble happened: picks the programme version, the day/night band, the fiscal year. */
    at: IsoTime,
    work: Type.Array(CoverageWorkKind, { maxItems: COVERAGE_WORK.length, uniqueItems: true }),
    /** Distance towed, expressway included (seed 001 Q24); needed when `work` has `tow`. */
    towKm: Type.Optional(Type.Number({ minimum: 0, maximum: 5_000 })),
    wheelsDropped: Type.Optional(Type.Integer({ minimum: 1, maximum: 4 })),
    dropMetres: Type.Optional(Type.Number({ minimum: 0, maximum: 1_000 })),
    /** Straight-line distance from the member's home (D5.5). */
    distanceFromHomeKm: Type.Number({ minimum: 0, maximum: 5_000 }),
    drivable: Type.Boolean(),
    place: literals(COVERAGE_PLACES),
    /** Romanised name of DOMAIN D5.9 (`Sado`), any case; spaces and hyphens are ignored. */
    island: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    conditions: literals(['normal', 'abnormal_weather', 'natural_disaster']),
    driverCondition: literals(['normal', 'drunk', 'unlicensed', 'drugs']),
    intentional: Type.Boolean(),
    /** Earlier requests for the same or similar trouble in the last 30 days; refused at 2 or more (D5.4). */
    similarRequestsRecently: Type.Integer({ minimum: 0, maximum: 1_000 }),
    /** The one after-follow option asked for (D5.5: they do not combine). */
    afterFollow: Type.Optional(AfterFollowKindSchema),
    cause: Type.Optional(literals(INCIDENT_CAUSES)),
    /** nissan-card-src24: when the claim (申請) was or will be sent; without it the service's clock judges the deadline. */
    claimAt: Type.Optional(IsoTime),
    /** rakuten-drive-assist: people in the car. */
    persons: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    /** rakuten-drive-assist: pets in the car (`dog`, `cat`, ...). */
    pets: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 32 }), { maxItems: 20 })),
    /** car-share: reported to the police (110) and to the company's trouble desk. */
    reportedToPolice: Type.Optional(Type.Boolean()),
    reportedToCompany: Type.Optional(Type.Boolean()),
    /** car-share: only a tyre is damaged (a puncture, a burst). */
    tyreOnly: Type.Optional(Type.Boolean()),
    /** Extension (D6): someone is injured (119 first). Unknown when absent. */
    injured: Type.Optional(Type.Boolean()),
  },
  strict,
);

/** Programme-specific facts about the member (contract "Coverage", programme-specific fields). */
export const CoverageMember = Type.Object(
  {
    /** nissan-card-src24: the call centre approved the service before it was done. */
    approvedByCentre: Type.Optional(Type.Boolean()),
    /** nissan-card-src24: when the member called the centre (the claim deadline runs from it). */
    calledAt: Type.Optional(IsoTime),
    /** nissan-card-src24: the incident of the last compensation used, if any. */
    lastCompensationAt: Type.Optional(IsoTime),
    /** rakuten-drive-assist: the policy's start date (保険始期). */
    policyStart: Type.Optional(JapanDate),
    /** rakuten-drive-assist: how the policy was taken out. */
    channel: Type.Optional(literals(['internet', 'other'])),
  },
  strict,
);

export const CoverageRequest = Type.Object(
  {
    programme: ProgrammeId,
    vehicle: CoverageVehicle,
    incident: CoverageIncident,
    member: Type.Optional(CoverageMember),
  },
  { ...strict, description: 'One incident to assess against a programme (contract "Coverage")' },
);
export type CoverageRequest = Static<typeof CoverageRequest>;

/** Refusal and exclusion codes are named by the programme files (data); see services/road-coverage/README.md. */
const Code = Type.String({ pattern: '^[a-z0-9_]+$' });
const Text = Type.String();

export const CoverageWorkAnswer = Type.Object({ kind: CoverageWorkKind, covered: Type.Boolean(), reason: Type.Optional(Text), rule: Type.Optional(Text) });
export type CoverageWorkAnswer = Static<typeof CoverageWorkAnswer>;

/** D5.2: charged kilometres rounded up; day 08:00 <= t < 20:00 Japan time. `reason` is an extension. */
export const CoverageTow = Type.Object({
  km: Type.Number(),
  freeKm: Type.Number(),
  chargedKm: Type.Integer(),
  band: literals(DAY_BANDS),
  yenPerKm: Type.Integer(),
  memberPaysYen: Type.Integer(),
  taxIncluded: Type.Boolean(),
  reason: Type.Optional(Text),
});
export type CoverageTow = Static<typeof CoverageTow>;

export const CoverageAfterFollow = Type.Object({ eligible: Type.Boolean(), kind: AfterFollowKindSchema, limitYen: Type.Union([Type.Integer(), Type.Null()]), reason: Type.Optional(Text) });
export type CoverageAfterFollow = Static<typeof CoverageAfterFollow>;

/** nissan-card-src24 (D5.7). `refusals` (codes) is an extension beside the contract's `reasons`. */
export const CoverageCompensation = Type.Object({ eligible: Type.Boolean(), reasons: Type.Array(Text), claimDeadline: JapanDate, refusals: Type.Optional(Type.Array(Code)) });
export type CoverageCompensation = Static<typeof CoverageCompensation>;

/** rakuten-drive-assist (D5.6): 0 where the benefit does not apply. `transportPerVehicleYen` is an extension (taxi, rental car). */
export const CoverageLimits = Type.Object({
  lodgingPerPersonYen: Type.Integer(),
  transportPerPersonYen: Type.Integer(),
  petHotelPerCaseYen: Type.Integer(),
  transportPerVehicleYen: Type.Optional(Type.Integer()),
});
export type CoverageLimits = Static<typeof CoverageLimits>;

/** Extension: why an answer is what it is, for the fields that carry no `reason` of their own. */
export const CoverageExplanation = Type.Object({ about: Type.String(), code: Type.Optional(Code), rule: Type.Optional(Text), text: Text });
export type CoverageExplanation = Static<typeof CoverageExplanation>;

/** Extension: what to do, in order (D5.8 expressway call, D5.6 the guard's tasks, D6 the fleet checklist). */
export const CoverageGuidance = Type.Object({ rule: Type.Optional(Text), text: Text });
export type CoverageGuidance = Static<typeof CoverageGuidance>;

export const CoverageAnswer = Type.Object(
  {
    programme: Type.String(),
    eligible: Type.Boolean(),
    refusals: Type.Array(Code),
    work: Type.Array(CoverageWorkAnswer),
    tow: Type.Optional(CoverageTow),
    afterFollow: Type.Optional(CoverageAfterFollow),
    // nissan-card-src24
    compensation: Type.Optional(CoverageCompensation),
    // rakuten-drive-assist
    sceneRush: Type.Optional(Type.Boolean()),
    limits: Type.Optional(CoverageLimits),
    // car-share
    nocYen: Type.Optional(Type.Integer()),
    insuranceApplies: Type.Optional(Type.Boolean()),
    // Extensions
    /** The programme's name. */
    programmeName: Type.String(),
    /** The version applied: the last one effective on the incident's Japan date (null: none yet). */
    version: Type.Union([Type.Object({ effectiveFrom: JapanDate, note: Type.Optional(Text) }), Type.Null()]),
    /** `incident.at` in Japan time, `YYYY-MM-DD HH:MM`. */
    japanTime: Type.String(),
    /** rakuten-drive-assist: the limits for the whole case (per person x persons). */
    caseLimitsYen: Type.Optional(Type.Object({ lodging: Type.Integer(), transport: Type.Integer(), petHotel: Type.Integer() })),
    /** car-share: why the insurance does not apply. */
    insuranceExclusions: Type.Optional(Type.Array(Code)),
    /** D5.8: target arrival of the service car. */
    targetArrivalMinutes: Type.Optional(Type.Integer()),
    guidance: Type.Array(CoverageGuidance),
    explanations: Type.Array(CoverageExplanation),
  },
  { description: 'What the programme covers for the incident and what the member pays (contract "Coverage")' },
);
export type CoverageAnswer = Static<typeof CoverageAnswer>;

export const CoverageProgrammeSummary = Type.Object({
  id: Type.String(),
  name: Type.String(),
  source: Type.Optional(Text),
  versions: Type.Array(Type.Object({ effectiveFrom: JapanDate, note: Type.Optional(Text) })),
  /** The version in force today (Japan date), or null before the first. */
  inForce: Type.Union([JapanDate, Type.Null()]),
});
export const CoverageProgrammeList = Type.Object({ programmes: Type.Array(CoverageProgrammeSummary) });
export type CoverageProgrammeList = Static<typeof CoverageProgrammeList>;

/**
 * The dotted paths of every scalar or list field a request can carry (`incident.towKm`), walked from
 * the schema: the programme files' conditions may name these and nothing else.
 */
export function coverageRequestPaths(schema: TSchema = CoverageRequest, prefix = ''): string[] {
  if (schema.type !== 'object' || !schema.properties) return [prefix];
  return Object.entries(schema.properties as Record<string, TSchema>).flatMap(([key, sub]) => coverageRequestPaths(sub, prefix ? `${prefix}.${key}` : key));
}
