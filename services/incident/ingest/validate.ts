import type { TSchema } from '@sinclair/typebox';
import {
  Ack,
  EARLIEST_TIME,
  LATEST_TIME,
  EventSchemas,
  Telemetry,
  VehicleStatus,
  describeIssues,
  findUnrealTime,
  isVin,
  validator,
  type EventType,
  type SchemaIssue,
  type VehicleEvent,
} from '../../../protocol/index.js';
import type { Decoded, InboundMessage, Validated } from './context.js';
import { DeadLetterError } from './dead-letter.js';
import type { Stage } from './stage.js';

/** A compiled check of one event type, seen as a check of "some vehicle event". */
interface EventValidator {
  check(value: unknown): value is VehicleEvent;
  issues(value: unknown): SchemaIssue[];
}

const eventValidators: Record<EventType, EventValidator> = {
  airbag: validator(EventSchemas.airbag),
  impact: validator(EventSchemas.impact),
  sos: validator(EventSchemas.sos),
  trouble: validator(EventSchemas.trouble),
  power: validator(EventSchemas.power),
  'security-alarm': validator(EventSchemas['security-alarm']),
};
const telemetry = validator(Telemetry);
const status = validator(VehicleStatus);
const ack = validator(Ack);

/** Stage 2: the payload matches the contract schema for its topic, and agrees with the topic. */
export const validate: Stage<Decoded, Validated> = ({ topic, payload, receivedAt, route, json }) => {
  if (!isVin(route.vin)) throw new DeadLetterError('invalid_vin', 'in the topic');
  if (!isJsonObject(json)) throw new DeadLetterError('schema_invalid', 'payload is not a JSON object');
  if ('v' in json && json.v !== 1) throw new DeadLetterError('unsupported_version', `v=${JSON.stringify(json.v)}`);
  const { vin } = route;
  let message: InboundMessage;
  switch (route.kind) {
    case 'event': {
      // Contract: the vin and type in the payload must equal those in the topic.
      if (json.vin !== vin || json.type !== route.type) {
        if (typeof json.vin === 'string' && !isVin(json.vin)) throw new DeadLetterError('invalid_vin', 'in the payload');
        throw new DeadLetterError('topic_mismatch', `topic ${vin}/${route.type}, payload ${String(json.vin)}/${String(json.type)}`);
      }
      const v = eventValidators[route.type];
      if (!v.check(json)) throw schemaDeadLetter(v.issues(json), json);
      realTimes(EventSchemas[route.type], json);
      message = { kind: 'event', event: json };
      break;
    }
    case 'telemetry':
      if (json.vin !== vin) throw new DeadLetterError('topic_mismatch', `topic ${vin}, payload ${String(json.vin)}`);
      if (!telemetry.check(json)) throw schemaDeadLetter(telemetry.issues(json), json);
      realTimes(Telemetry, json);
      message = { kind: 'telemetry', telemetry: json };
      break;
    case 'status':
      if (!status.check(json)) throw schemaDeadLetter(status.issues(json));
      realTimes(VehicleStatus, json);
      message = { kind: 'status', vin, status: json };
      break;
    case 'acks':
      if (!ack.check(json)) throw schemaDeadLetter(ack.issues(json));
      realTimes(Ack, json);
      message = { kind: 'acks', vin, ack: json };
      break;
  }
  return { topic, payload, receivedAt, message };
};

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Issue "No acknowledged emergency event lost": the IsoTime schema is only a pattern, so
 * `9999-99-99T99:99:99.999Z` matched it. Every IsoTime the schema names (event, telemetry and status
 * `ts`; any added later) must be a real instant in the window of protocol/limits.ts.
 */
function realTimes(schema: TSchema, json: unknown): void {
  const at = findUnrealTime(schema, json);
  if (at !== undefined) throw new DeadLetterError('invalid_timestamp', `${at}: not a real time in [${EARLIEST_TIME}, ${LATEST_TIME})`);
}

/** The most specific reason the contract names for a schema failure. */
function schemaDeadLetter(issues: SchemaIssue[], json?: Record<string, unknown>): DeadLetterError {
  const detail = describeIssues(issues);
  if (issues.some((i) => /^\/position\/(lat|lon)$/.test(i.path)) || positionOutOfRange(json?.position)) return new DeadLetterError('position_out_of_range', detail);
  if (issues.some((i) => i.path === '/vin')) return new DeadLetterError('invalid_vin', detail);
  return new DeadLetterError('schema_invalid', detail);
}

/** `position` is a union with null, so the schema reports only `/position`: look at lat/lon directly. */
function positionOutOfRange(position: unknown): boolean {
  if (!isJsonObject(position)) return false;
  const { lat, lon } = position;
  return (typeof lat === 'number' && (lat < -90 || lat > 90)) || (typeof lon === 'number' && (lon < -180 || lon > 180));
}
