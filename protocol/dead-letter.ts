import { Type, type Static } from '@sinclair/typebox';
import { IsoTime } from './common.js';

/**
 * Why an inbound MQTT message was dead-lettered: refused at ingest and published on `v1/dead-letter`
 * (contract: "rejected with a reason"). Not to be confused with a rule's refusal of an operator action
 * or a vehicle request, which is a domain decision answered over HTTP (services/incident/domain/refusal.ts).
 */
export const DEAD_LETTER_REASONS = {
  malformed_json: 'payload is not JSON',
  payload_too_large: 'payload is larger than the service accepts',
  unsupported_version: 'field v is not a contract version this service speaks',
  schema_invalid: 'payload does not match the schema for its topic',
  invalid_vin: 'VIN is not 17 characters of ISO 3779',
  topic_mismatch: 'vin or type in the payload differs from the topic',
  unknown_event_type: 'event type in the topic is not one of the contract',
  unknown_topic: 'topic is not one the service accepts from vehicles',
  position_out_of_range: 'latitude or longitude out of range',
  duplicate_event: 'this eventId from this car was processed already',
  unknown_command: 'ack names a command this service did not send to this car',
  // Issue "No acknowledged emergency event lost": values the store could not read back (limits.ts).
  malformed_unicode: 'a string or key holds a lone surrogate (not well-formed Unicode)',
  nesting_too_deep: 'objects and arrays nest deeper than MAX_JSON_DEPTH',
  invalid_timestamp: 'a time is not a real instant between 1970-01-01 and 2100-01-01',
  processing_failed: 'the message passed validation but could not be processed after repeated tries',
} as const;
export type DeadLetterReason = keyof typeof DEAD_LETTER_REASONS;
export const DeadLetterReasonSchema = Type.Union(
  (Object.keys(DEAD_LETTER_REASONS) as DeadLetterReason[]).map((r) => Type.Literal(r)),
);

/** @deprecated the old name of DEAD_LETTER_REASONS; every use in this repository is renamed. */
export const REJECTION_REASONS = DEAD_LETTER_REASONS;
/** @deprecated the old name of DeadLetterReason. */
export type RejectionReason = DeadLetterReason;
/** @deprecated the old name of DeadLetterReasonSchema. */
export const RejectionReasonSchema = DeadLetterReasonSchema;

/**
 * `v1/dead-letter`: what was rejected and why, with the payload in base64 for forensics: whole when the
 * letter fits one MQTT packet (MQTT_MAX_PACKET_BYTES), else its first bytes, and `detail` says how many.
 */
export const DeadLetter = Type.Object({
  topic: Type.String(),
  reason: DeadLetterReasonSchema,
  detail: Type.Optional(Type.String()),
  receivedAt: IsoTime,
  payload: Type.String({ contentEncoding: 'base64' }),
});
export type DeadLetter = Static<typeof DeadLetter>;
