import { Type, type Static } from '@sinclair/typebox';
import { Id, IsoTime } from './common.js';

/**
 * Contract v1 extension "Message relay" (D4.5): the operator relays a message to the contact the owner
 * registered, on a trouble case whose transport was arranged. The phone is called once; not answered,
 * a confirmed email address is asked to call back; else the relay ends `unreachable`.
 */
export const RELAY_STATUSES = ['pending', 'delivered', 'unreachable'] as const;
export const RelayStatus = Type.Union(RELAY_STATUSES.map((s) => Type.Literal(s)));
export type RelayStatus = (typeof RELAY_STATUSES)[number];

/** `pending`: the call is being made; `answered` / `not_answered`: its result; `sent`: the email went to the outbox. */
export const ATTEMPT_RESULTS = ['pending', 'answered', 'not_answered', 'sent'] as const;
export const RelayAttempt = Type.Object({
  channel: Type.Union([Type.Literal('phone'), Type.Literal('email')]),
  to: Type.String(),
  result: Type.Union(ATTEMPT_RESULTS.map((r) => Type.Literal(r))),
  /** Extension: when the attempt was made (its result recorded, for the phone). */
  at: Type.Optional(IsoTime),
});
export type RelayAttempt = Static<typeof RelayAttempt>;

export const Relay = Type.Object({
  id: Id,
  caseId: Id,
  status: RelayStatus,
  attempts: Type.Array(RelayAttempt),
  /** Extension: the message relayed, who asked for it, when, and the contact called (by name). */
  message: Type.String(),
  contactName: Type.String(),
  requestedAt: IsoTime,
  requestedBy: Type.String(),
  updatedAt: Type.Optional(IsoTime),
});
export type Relay = Static<typeof Relay>;

/** `POST /v1/cases/{id}/relay`. */
export const CreateRelayBody = Type.Object(
  { message: Type.String({ minLength: 1, maxLength: 2000 }), operatorId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })) },
  { additionalProperties: false },
);
export type CreateRelayBody = Static<typeof CreateRelayBody>;

/** `POST /v1/cases/{id}/relay/{relayId}/phone-result`. */
export const PhoneResultBody = Type.Object(
  { answered: Type.Boolean(), operatorId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })) },
  { additionalProperties: false },
);
export type PhoneResultBody = Static<typeof PhoneResultBody>;

export const RelayParams = Type.Object({ id: Id, relayId: Id });
