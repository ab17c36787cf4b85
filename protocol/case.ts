import { Type, type Static } from '@sinclair/typebox';
import { Id, IsoTime, MaybePosition } from './common.js';
import { CallState } from './commands.js';
import { Dispatch } from './dispatch.js';
import { Relay } from './relay.js';
import { ImpactDirection } from './events.js';
import { LockoutView } from './lockout.js';
import { Vin } from './vin.js';

export const TRIGGERS = ['airbag', 'impact', 'sos', 'trouble'] as const;
export const Trigger = Type.Union(TRIGGERS.map((t) => Type.Literal(t)));
export type Trigger = Static<typeof Trigger>;

/** Contract: priority 1 (airbag, impact over threshold) > 2 (sos) > 3 (trouble). */
export const PRIORITY_BY_TRIGGER: Record<Trigger, 1 | 2 | 3> = { airbag: 1, impact: 1, sos: 2, trouble: 3 };

/** What the queue order reads of a case. */
export type QueueKey = Pick<Case, 'priority' | 'openedAt' | 'id'> & { severity?: { probability: number } | undefined };

/**
 * Queue order (contract): priority first; inside priority 1 the higher severity probability first (v1
 * extension "Severity", D4.3); then age, then id so that the order is total. A priority-1 case without a
 * severity (stored before it existed) counts as the most severe: an unknown risk is not put behind a
 * known one. Both stores, the feed snapshot and the console sort with this one function.
 */
export function compareQueueOrder(a: QueueKey, b: QueueKey): number {
  return a.priority - b.priority || (a.priority === 1 ? riskOf(b) - riskOf(a) : 0) || a.openedAt.localeCompare(b.openedAt) || a.id.localeCompare(b.id);
}

function riskOf(c: QueueKey): number {
  return c.severity?.probability ?? 1;
}

/**
 * Extension (v1 "Position", D2.1, D2.7): a position the car reported, with when (the car's clock, as
 * the telemetry or event `ts` that carried it) and whether the fix can be trusted.
 */
export const KnownPosition = Type.Object(
  {
    lat: Type.Number({ minimum: -90, maximum: 90 }),
    lon: Type.Number({ minimum: -180, maximum: 180 }),
    at: IsoTime,
    trusted: Type.Boolean(),
    headingDeg: Type.Optional(Type.Number({ minimum: 0, maximum: 360 })),
  },
);
export type KnownPosition = Static<typeof KnownPosition>;

/** Extension (v1 "One call at a time"): an event that opened a case or joined its live call. */
export const CaseTrigger = Type.Object({
  type: Trigger,
  eventId: Id,
  /** When the centre took it in (the service's clock; the opening one's is the case's `openedAt`). */
  at: IsoTime,
  /** The event's own data (for a joining event: airbags fired, delta-V, direction). */
  data: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});
export type CaseTrigger = Static<typeof CaseTrigger>;

export const SEVERITY_BANDS = ['high', 'elevated', 'low'] as const;
export const SeverityBand = Type.Union(SEVERITY_BANDS.map((b) => Type.Literal(b)));
export type SeverityBand = Static<typeof SeverityBand>;
/** Where the crash came from, seen from one seat (right-hand drive: `right` is the driver's near side). */
export const SeatSide = Type.Union(['front', 'near', 'far', 'rear'].map((s) => Type.Literal(s)));
export type SeatSide = 'front' | 'near' | 'far' | 'rear';

/** One front seat's estimate. */
export const SeatSeverity = Type.Object({
  seat: Type.Union([Type.Literal('driver'), Type.Literal('passenger')]),
  side: SeatSide,
  /** null: not reported (the model takes unbelted, the cautious value). */
  belted: Type.Union([Type.Boolean(), Type.Null()]),
  age: Type.Union([Type.Integer({ minimum: 0, maximum: 130 }), Type.Null()]),
  probability: Type.Number({ minimum: 0, maximum: 1 }),
});
export type SeatSeverity = Static<typeof SeatSeverity>;

/** What the estimate was computed from; `assumed` names the inputs that were missing and took their cautious value. */
export const SeverityInputs = Type.Object({
  deltaVKmh: Type.Number({ minimum: 0 }),
  direction: Type.Union([ImpactDirection, Type.Null()]),
  multipleImpacts: Type.Boolean(),
  rollover: Type.Boolean(),
  seats: Type.Array(SeatSeverity, { maxItems: 2 }),
  assumed: Type.Array(Type.String()),
});
export type SeverityInputs = Static<typeof SeverityInputs>;

/**
 * Extension (v1 "Severity", D4.3): the estimated probability that an occupant of a front seat is killed
 * or seriously injured (MAIS 3+), the highest of the seats assessed; its band; what it recommends
 * (`doctor_heli` at DOCTOR_HELI_THRESHOLD); the model (`name@version`) and its inputs.
 */
export const Severity = Type.Object(
  {
    probability: Type.Number({ minimum: 0, maximum: 1 }),
    band: SeverityBand,
    recommend: Type.Array(Type.String()),
    model: Type.String(),
    inputs: SeverityInputs,
  },
);
export type Severity = Static<typeof Severity>;

/** Extension (issue 14 part 2): a note an operator wrote on the case (`POST /v1/cases/{id}/notes`), oldest first. */
export const CaseNote = Type.Object({ at: IsoTime, operatorId: Type.String(), text: Type.String({ minLength: 1, maxLength: 2000 }) });
export type CaseNote = Static<typeof CaseNote>;
/** `POST /v1/cases/{id}/notes` (extension, issue 14 part 2). */
export const AddNoteBody = Type.Object(
  { text: Type.String({ minLength: 1, maxLength: 2000 }), operatorId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })) },
  { additionalProperties: false },
);
export type AddNoteBody = Static<typeof AddNoteBody>;

export const CaseStatus = Type.Union([Type.Literal('open'), Type.Literal('closed')]);
export type CaseStatus = Static<typeof CaseStatus>;

export const Case = Type.Object(
  {
    id: Id,
    vin: Vin,
    trigger: Trigger,
    priority: Type.Union([Type.Literal(1), Type.Literal(2), Type.Literal(3)]),
    status: CaseStatus,
    openedAt: IsoTime,
    eventId: Id,
    position: MaybePosition,
    occupants: Type.Union([Type.Integer(), Type.Null()]),
    test: Type.Boolean(),
    sessionId: Id,
    lockout: LockoutView,
    operatorId: Type.Optional(Type.String()),
    closedAt: Type.Optional(IsoTime),
    resolution: Type.Optional(Type.String()),
    /** Extension: the operator's closing note. */
    note: Type.Optional(Type.String()),
    /** Extension: the event's own data (airbags fired, delta-V, direction, warning lamps). */
    data: Type.Record(Type.String(), Type.Unknown()),
    /** Extension (v1 "One call at a time"): the opening event first, then each that joined the live call. */
    triggers: Type.Optional(Type.Array(CaseTrigger)),
    /** Extension (v1 "Severity", D4.3): on a case with an airbag or impact trigger. */
    severity: Type.Optional(Severity),
    /** Extension (v1 "Position", D2.1, D2.7): the newest position known (event or telemetry), null if none; kept up to date while open. */
    lastKnownPosition: Type.Optional(Type.Union([KnownPosition, Type.Null()])),
    /** Extension (v1 "Position"): up to 3 earlier positions before `lastKnownPosition`, oldest first (eCall's recent locations). */
    track: Type.Optional(Type.Array(KnownPosition, { maxItems: 3 })),
    /** Extension (v1 "Dispatches", D4.1, D4.2, D4.4): who was sent, in the order requested. */
    dispatches: Type.Optional(Type.Array(Dispatch)),
    /** Extension (v1 "Answer targets"): when the call first rang past its priority's ANSWER_TARGET_S unanswered (once). */
    escalatedAt: Type.Optional(IsoTime),
    /** Extension (v1 "Answer targets"): when an operator first answered the ringing call (answer time = answeredAt - openedAt). */
    answeredAt: Type.Optional(IsoTime),
    /** Extension (v1 "Message relay", D4.5): the messages relayed to the owner's contacts, in the order asked. */
    relays: Type.Optional(Type.Array(Relay)),
    /** Extension (issue 14 part 2): the operators' notes on the case, oldest first. */
    notes: Type.Optional(Type.Array(CaseNote)),
  },
  { $id: 'Case' },
);
export type Case = Static<typeof Case>;

export const ClearedBy = Type.Union(
  ['operator', 'vehicle', 'power_off', 'network'].map((c) => Type.Literal(c)),
);
export type ClearedBy = 'operator' | 'vehicle' | 'power_off' | 'network';

export const Callback = Type.Object({ at: IsoTime, operatorId: Type.String() });
export type Callback = Static<typeof Callback>;

export const VoiceSession = Type.Object(
  {
    id: Id,
    caseId: Id,
    vin: Vin,
    state: CallState,
    hangupPolicy: Type.Union([Type.Literal('operator_only'), Type.Literal('either')]),
    audioMuted: Type.Boolean(),
    openedAt: IsoTime,
    connectedAt: Type.Optional(IsoTime),
    clearedAt: Type.Optional(IsoTime),
    clearedBy: Type.Optional(ClearedBy),
    callbacks: Type.Array(Callback),
  },
  { $id: 'VoiceSession' },
);
export type VoiceSession = Static<typeof VoiceSession>;

export const SecurityAlert = Type.Object({
  id: Id,
  vin: Vin,
  eventId: Id,
  kind: Type.String(),
  at: IsoTime,
  status: Type.Union([Type.Literal('delivered'), Type.Literal('suppressed')]),
});
export type SecurityAlert = Static<typeof SecurityAlert>;

/** Extension: an impact below the D1.2 threshold is recorded, not escalated. */
export const RecordedImpact = Type.Object({
  eventId: Id,
  vin: Vin,
  at: IsoTime,
  deltaVKmh: Type.Number(),
  direction: Type.Optional(Type.String()),
  escalated: Type.Boolean(),
});
export type RecordedImpact = Static<typeof RecordedImpact>;
