import { Type, type Static } from '@sinclair/typebox';
import { Case, VoiceSession } from './case.js';
import { Id, IsoTime } from './common.js';
import { CommandBody, RemoteOperation } from './commands.js';
import { LockoutFeature } from './lockout.js';
import { Vin } from './vin.js';

/** Every HTTP error: a stable code, a sentence for people, and details where they help. */
export const ErrorBody = Type.Object(
  { error: Type.String(), message: Type.String() },
  { additionalProperties: true, $id: 'ErrorBody' },
);
export type ErrorBody = Static<typeof ErrorBody>;

/** 423 body; the response also carries `Retry-After` in seconds. */
export const LockedOutBody = Type.Object({
  error: Type.Literal('locked_out'),
  message: Type.String(),
  feature: LockoutFeature,
  until: Type.Union([IsoTime, Type.Null()]),
});

/** `GET /v1/cases/{id}`: the case with its voice session. */
export const CaseWithSession = Type.Composite([Case, Type.Object({ session: Type.Union([VoiceSession, Type.Null()]) })]);
export type CaseWithSession = Static<typeof CaseWithSession>;

export const CaseIdParams = Type.Object({ id: Id });
export const SessionIdParams = Type.Object({ id: Id });
export const VinParams = Type.Object({ vin: Vin });
export const CaseListQuery = Type.Object({
  status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('closed')])),
});

/**
 * Until per-operator credentials exist the operator names itself, in the body or the
 * `X-Operator-Id` header (the header wins when both are given).
 */
export const OperatorBody = Type.Object({ operatorId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })) });

/** Known resolutions; any other short code is accepted too so that centres can add their own. */
export const RESOLUTIONS = [
  'emergency_dispatched',
  'road_service_arranged',
  'advice_given',
  'accidental',
  'no_response_dispatched',
  'test_call',
  'duplicate',
  'other',
] as const;
export const CloseBody = Type.Object({
  resolution: Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z0-9_]+$' }),
  operatorId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  note: Type.Optional(Type.String({ maxLength: 2000 })),
});
export type CloseBody = Static<typeof CloseBody>;

export const RemoteOperationBody = Type.Object({ operation: RemoteOperation });
export const WifiBody = Type.Object({ enabled: Type.Boolean() });
export const AcceptedCommand = Type.Object({ commandId: Id });

/** Extension: the car's answer to a command, as recorded when its ack arrived. */
export const CommandAckRecord = Type.Object({ ok: Type.Boolean(), error: Type.Optional(Type.String()), at: IsoTime });
export type CommandAckRecord = Static<typeof CommandAckRecord>;

/**
 * Extension, `GET /v1/vehicles/{vin}/commands`: a command the backend sent to the car (its body without
 * `v`, id and time, which the record holds as `commandId` and `sentAt`), with the car's ack once it came.
 */
export const CommandRecord = Type.Object({
  commandId: Id,
  vin: Vin,
  cmd: Type.String(),
  sentAt: IsoTime,
  body: CommandBody,
  ack: Type.Optional(CommandAckRecord),
});
export type CommandRecord = Static<typeof CommandRecord>;
