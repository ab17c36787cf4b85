import { Type, type Static } from '@sinclair/typebox';
import { ContractVersion, Id, IsoTime } from './common.js';
import { Agency, DispatchDestination, DispatchUpdateStatus, ServiceCar } from './dispatch.js';
import { EmailStatus, MAX_CONTACTS } from './contacts.js';
import { Vin } from './vin.js';

/**
 * QA traces (issue 4, parts 5-6): NDJSON, one header line, then one line per MQTT publish (either
 * direction) and per operator action, in time order. Strict: unknown fields are errors, so a trace
 * written by a newer recorder is refused rather than half-read.
 */
export const TRACE_FORMAT = 'anshin-trace';
export const TRACE_VERSION = 1;
export const OUTCOME_FORMAT = 'anshin-outcome';
export const OUTCOME_VERSION = 1;

const strict = { additionalProperties: false } as const;
/** Milliseconds since the trace start (monotonic clock of the recorder; never goes back). */
const TraceTime = Type.Number({ minimum: 0, description: 'ms since the trace start' });

/** The service configuration a replay must use to decide as the recorded backend did. */
export const TraceConfig = Type.Object(
  {
    /** D3.5 */
    LOCKOUT_MINUTES: Type.Number({ exclusiveMinimum: 0 }),
    /** D1.2 */
    IMPACT_DELTA_V_KMH: Type.Number({ exclusiveMinimum: 0 }),
    MAX_PAYLOAD_BYTES: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  strict,
);
export type TraceConfig = Static<typeof TraceConfig>;

export const TraceHeader = Type.Object(
  {
    format: Type.Literal(TRACE_FORMAT),
    version: Type.Literal(TRACE_VERSION),
    startedAt: IsoTime,
    project: Type.Object({ name: Type.String(), version: Type.String() }, strict),
    config: TraceConfig,
    /** Where the lines came from: the embedded broker hook, an MQTT subscriber, a generator. */
    source: Type.Optional(
      Type.Object(
        {
          kind: Type.Union([Type.Literal('embedded'), Type.Literal('mqtt'), Type.Literal('generated')]),
          url: Type.Optional(Type.String()),
          scenario: Type.Optional(Type.String()),
          /** `virtual`: `t` is the recording stack's virtual clock (fixtures), not performance.now. */
          clock: Type.Optional(Type.Union([Type.Literal('monotonic'), Type.Literal('virtual')])),
        },
        strict,
      ),
    ),
  },
  { ...strict, $id: 'TraceHeader' },
);
export type TraceHeader = Static<typeof TraceHeader>;

/** `in`: car -> backend; `out`: backend -> car, partner, dead-letter. */
export const TraceDirection = Type.Union([Type.Literal('in'), Type.Literal('out')]);
export type TraceDirection = Static<typeof TraceDirection>;

/** One MQTT publish. Exactly one of `payload` (UTF-8 text) and `payloadBase64` (anything else). */
export const TraceMqttLine = Type.Object(
  {
    kind: Type.Literal('mqtt'),
    t: TraceTime,
    wall: IsoTime,
    dir: TraceDirection,
    topic: Type.String({ minLength: 1 }),
    payload: Type.Optional(Type.String()),
    payloadBase64: Type.Optional(Type.String({ contentEncoding: 'base64' })),
    qos: Type.Union([Type.Literal(0), Type.Literal(1), Type.Literal(2)]),
    retain: Type.Boolean(),
    clientId: Type.Optional(Type.String()),
  },
  { ...strict, $id: 'TraceMqttLine' },
);
export type TraceMqttLine = Static<typeof TraceMqttLine>;

/** Issue 12 part 4 added `dispatch`, `dispatch_update` and `no_response` (D4.1, D4.2); part 5 `relay`, `relay_phone_result` (D4.5). */
export const TRACE_OPERATOR_ACTIONS = ['answer', 'hangup', 'callback', 'close', 'dispatch', 'dispatch_update', 'no_response', 'relay', 'relay_phone_result'] as const;

/**
 * What a dispatch line carries (issue 12 part 4): `dispatch` names the agency and what it was told;
 * `dispatch_update` names the dispatch by its place in the case's `dispatches` (0 first: ids differ
 * between a recording and its replay) and the status it moved to. A coverage assessment is not traced.
 */
const dispatchFields = {
  agency: Type.Optional(Agency),
  reference: Type.Optional(Type.String({ maxLength: 200 })),
  destination: Type.Optional(DispatchDestination),
  serviceCar: Type.Optional(ServiceCar),
  dispatch: Type.Optional(Type.Integer({ minimum: 0 })),
  status: Type.Optional(DispatchUpdateStatus),
  etaMinutes: Type.Optional(Type.Integer({ minimum: 0, maximum: 24 * 60 })),
  ...relayFields(),
};

/**
 * What a relay line carries (issue 12 part 5, D4.5): `relay` the message and the car's contacts as they
 * were (name, phone, email and whether it was confirmed: a replay registers them first, as the relay
 * depends on them; never a token); `relay_phone_result` names the relay by its place in the case's
 * `relays` (0 first) and whether the call was answered.
 */
function relayFields() {
  return {
    message: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })),
    contacts: Type.Optional(
      Type.Array(Type.Object({ name: Type.String(), phone: Type.Optional(Type.String()), email: Type.Optional(Type.String()), emailStatus: Type.Optional(EmailStatus) }, strict), { maxItems: MAX_CONTACTS }),
    ),
    relay: Type.Optional(Type.Integer({ minimum: 0 })),
    answered: Type.Optional(Type.Boolean()),
  };
}
export const OperatorActionKind = Type.Union(TRACE_OPERATOR_ACTIONS.map((a) => Type.Literal(a)));
export type OperatorActionKind = (typeof TRACE_OPERATOR_ACTIONS)[number];

/** An operator action; the case is named by the car and the event that opened it (stable across replays). */
export const TraceOperatorLine = Type.Object(
  {
    kind: Type.Literal('operator'),
    t: TraceTime,
    wall: IsoTime,
    action: OperatorActionKind,
    vin: Vin,
    eventId: Id,
    operatorId: Type.String({ minLength: 1, maxLength: 64 }),
    resolution: Type.Optional(Type.String()),
    note: Type.Optional(Type.String()),
    ...dispatchFields,
  },
  { ...strict, $id: 'TraceOperatorLine' },
);
export type TraceOperatorLine = Static<typeof TraceOperatorLine>;

export const TraceLine = Type.Union([TraceMqttLine, TraceOperatorLine]);
export type TraceLine = Static<typeof TraceLine>;

/**
 * Extension topic `v1/audit/operator-actions` (QoS 1, backend only): published after each successful
 * operator action, so a recorder on an external broker sees operator actions too.
 */
export const OperatorAudit = Type.Object(
  {
    v: ContractVersion,
    action: OperatorActionKind,
    caseId: Id,
    vin: Vin,
    eventId: Id,
    operatorId: Type.String(),
    resolution: Type.Optional(Type.String()),
    note: Type.Optional(Type.String()),
    ...dispatchFields,
    at: IsoTime,
  },
  { $id: 'OperatorAudit' },
);
export type OperatorAudit = Static<typeof OperatorAudit>;

/** Relative time in an outcome: ms since the trace start. */
const Rel = Type.Number();
const Loose = Type.Record(Type.String(), Type.Unknown());

/**
 * What a replay produced, normalised (ids `case-1`, `session-1`, `cmd-1`, `alert-1` in order of first
 * appearance; times as ms since the trace start; keys sorted) so that one trace always gives the same
 * bytes and two outcomes can be diffed path by path.
 */
export const Outcome = Type.Object(
  {
    format: Type.Literal(OUTCOME_FORMAT),
    version: Type.Literal(OUTCOME_VERSION),
    trace: Type.Object({ events: Type.Integer(), operatorActions: Type.Integer(), durationMs: Rel }, strict),
    cases: Type.Array(Loose),
    sessions: Type.Array(Loose),
    lockouts: Type.Array(
      Type.Object(
        {
          vin: Vin,
          final: Loose,
          history: Type.Array(Loose),
        },
        strict,
      ),
    ),
    commands: Type.Array(Loose),
    alerts: Type.Array(Loose),
    impacts: Type.Array(Loose),
    operatorActions: Type.Array(Loose),
    deadLetters: Type.Array(Type.Object({ reason: Type.String(), count: Type.Integer() }, strict)),
    /** Issue 12 part 5 (D4.5): the emails put on `v1/outbox/email` (`{t, kind, to, subject}`: no body, no token); only when there were any. */
    emails: Type.Optional(Type.Array(Loose)),
    /** Issue 12 part 6 (D4.6): messages to owners' apps (`{t, vin, kind, case, dispatch, track}`, the token named); only when there were any. */
    appMessages: Type.Optional(Type.Array(Loose)),
  },
  { ...strict, $id: 'Outcome' },
);
export type Outcome = Static<typeof Outcome>;
