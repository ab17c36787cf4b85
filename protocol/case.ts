import { Type, type Static } from '@sinclair/typebox';
import { Id, IsoTime, MaybePosition } from './common.js';
import { CallState } from './commands.js';
import { LockoutView } from './lockout.js';
import { Vin } from './vin.js';

export const TRIGGERS = ['airbag', 'impact', 'sos', 'trouble'] as const;
export const Trigger = Type.Union(TRIGGERS.map((t) => Type.Literal(t)));
export type Trigger = Static<typeof Trigger>;

/** Contract: priority 1 (airbag, impact over threshold) > 2 (sos) > 3 (trouble). */
export const PRIORITY_BY_TRIGGER: Record<Trigger, 1 | 2 | 3> = { airbag: 1, impact: 1, sos: 2, trouble: 3 };

/** Queue order (contract): priority first, then age, then id so that the order is total. */
export function compareQueueOrder(a: Pick<Case, 'priority' | 'openedAt' | 'id'>, b: Pick<Case, 'priority' | 'openedAt' | 'id'>): number {
  return a.priority - b.priority || a.openedAt.localeCompare(b.openedAt) || a.id.localeCompare(b.id);
}

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
