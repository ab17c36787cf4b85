import { findJsonLimitProblem, MAX_JSON_DEPTH, parseTopic } from '../../../protocol/index.js';
import type { Decoded, Raw, VehicleRoute } from './context.js';
import { DeadLetterError } from './dead-letter.js';
import type { Stage } from './stage.js';

/** Stage 1: which topic, and is the payload JSON of an acceptable size, depth and well-formed Unicode. */
export const decode: Stage<Raw, Decoded> = (raw, { config }) => {
  const route = vehicleRoute(raw.topic);
  if (raw.payload.length > config.MAX_PAYLOAD_BYTES) {
    throw new DeadLetterError('payload_too_large', `${raw.payload.length} bytes > ${config.MAX_PAYLOAD_BYTES}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(raw.payload.toString('utf8'));
  } catch (err) {
    throw new DeadLetterError('malformed_json', err instanceof Error ? err.message : String(err));
  }
  // Issue "No acknowledged emergency event lost": JSON.parse accepts `\ud800` and any depth, the
  // store's Lua cjson neither; refused here, before any stage reads or keeps the value.
  const problem = findJsonLimitProblem(json);
  if (problem) {
    throw new DeadLetterError(problem.kind, problem.kind === 'nesting_too_deep' ? `deeper than ${MAX_JSON_DEPTH} at ${problem.pointer}` : `lone surrogate at ${problem.pointer}`);
  }
  return { topic: raw.topic, payload: raw.payload, receivedAt: raw.receivedAt, route, json };
};

/** A topic cars publish on, or a dead letter: commands and lockout are the backend's own topics. */
function vehicleRoute(topic: string): VehicleRoute {
  const route = parseTopic(topic);
  switch (route.kind) {
    case 'event':
      if ('unknownType' in route) throw new DeadLetterError('unknown_event_type', route.type);
      return route;
    case 'telemetry':
    case 'status':
    case 'acks':
      return { kind: route.kind, vin: route.vin };
    default:
      throw new DeadLetterError('unknown_topic', topic);
  }
}
