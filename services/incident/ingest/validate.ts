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
  type Validator,
} from '../../../protocol/index.js';
import type { TSchema } from '@sinclair/typebox';
import { Rejected, type IngestContext } from './context.js';
import type { Stage } from './stage.js';

const eventValidators = Object.fromEntries(
  Object.entries(EventSchemas).map(([type, schema]) => [type, validator(schema)]),
) as unknown as Record<EventType, Validator<TSchema>>;
const telemetry = validator(Telemetry);
const status = validator(VehicleStatus);
const ack = validator(Ack);

/** Stage 2: the payload matches the contract schema for its topic, and agrees with the topic. */
export const validate: Stage = async (ctx: IngestContext) => {
  const route = ctx.route!;
  const json = ctx.json as Record<string, unknown> | null;
  if (!isVin(route.kind === 'other' ? '' : route.vin)) throw new Rejected('invalid_vin', 'in the topic');
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Rejected('schema_invalid', 'payload is not a JSON object');
  if ('v' in json && json.v !== 1) throw new Rejected('unsupported_version', `v=${JSON.stringify(json.v)}`);
  const vin = (route as { vin: string }).vin;

  switch (route.kind) {
    case 'event': {
      // Contract: the vin and type in the payload must equal those in the topic.
      if (json.vin !== vin || json.type !== route.type) {
        if (typeof json.vin === 'string' && !isVin(json.vin)) throw new Rejected('invalid_vin', 'in the payload');
        throw new Rejected('topic_mismatch', `topic ${vin}/${route.type}, payload ${String(json.vin)}/${String(json.type)}`);
      }
      const v = eventValidators[route.type as EventType];
      if (!v.check(json)) throw reject(v.issues(json), json);
      realTimes(EventSchemas[route.type as EventType], json);
      ctx.message = { kind: 'event', event: json as never };
      return;
    }
    case 'telemetry':
      if (json.vin !== vin) throw new Rejected('topic_mismatch', `topic ${vin}, payload ${String(json.vin)}`);
      if (!telemetry.check(json)) throw reject(telemetry.issues(json), json);
      realTimes(Telemetry, json);
      ctx.message = { kind: 'telemetry', telemetry: json };
      return;
    case 'status':
      if (!status.check(json)) throw reject(status.issues(json));
      realTimes(VehicleStatus, json);
      ctx.message = { kind: 'status', vin, status: json };
      return;
    case 'acks':
      if (!ack.check(json)) throw reject(ack.issues(json));
      realTimes(Ack, json);
      ctx.message = { kind: 'acks', vin, ack: json };
      return;
  }
};

/**
 * Issue "No acknowledged emergency event lost": the IsoTime schema is only a pattern, so
 * `9999-99-99T99:99:99.999Z` matched it. Every IsoTime the schema names (event, telemetry and status
 * `ts`; any added later) must be a real instant in the window of protocol/limits.ts.
 */
function realTimes(schema: TSchema, json: unknown): void {
  const at = findUnrealTime(schema, json);
  if (at !== undefined) throw new Rejected('invalid_timestamp', `${at}: not a real time in [${EARLIEST_TIME}, ${LATEST_TIME})`);
}

/** The most specific reason the contract names for a schema failure. */
function reject(issues: SchemaIssue[], json?: Record<string, unknown>): Rejected {
  const detail = describeIssues(issues);
  if (issues.some((i) => /^\/position\/(lat|lon)$/.test(i.path)) || positionOutOfRange(json?.position)) return new Rejected('position_out_of_range', detail);
  if (issues.some((i) => i.path === '/vin')) return new Rejected('invalid_vin', detail);
  return new Rejected('schema_invalid', detail);
}

/** `position` is a union with null, so the schema reports only `/position`: look at lat/lon directly. */
function positionOutOfRange(position: unknown): boolean {
  if (typeof position !== 'object' || position === null) return false;
  const { lat, lon } = position as { lat?: unknown; lon?: unknown };
  return (typeof lat === 'number' && (lat < -90 || lat > 90)) || (typeof lon === 'number' && (lon < -180 || lon > 180));
}
