import { findJsonLimitProblem, MAX_JSON_DEPTH, parseTopic } from '../../../protocol/index.js';
import { Rejected, type IngestContext } from './context.js';
import type { Stage } from './stage.js';

/** Stage 1: which topic, and is the payload JSON of an acceptable size, depth and well-formed Unicode. */
export const decode: Stage = async (ctx: IngestContext, deps) => {
  const route = parseTopic(ctx.topic);
  if (route.kind === 'other' || route.kind === 'commands' || route.kind === 'lockout') throw new Rejected('unknown_topic', ctx.topic);
  if ('unknownType' in route) throw new Rejected('unknown_event_type', route.type);
  ctx.route = route;
  if (ctx.payload.length > deps.config.MAX_PAYLOAD_BYTES) {
    throw new Rejected('payload_too_large', `${ctx.payload.length} bytes > ${deps.config.MAX_PAYLOAD_BYTES}`);
  }
  try {
    ctx.json = JSON.parse(ctx.payload.toString('utf8'));
  } catch (err) {
    throw new Rejected('malformed_json', (err as Error).message);
  }
  // Issue "No acknowledged emergency event lost": JSON.parse accepts `\ud800` and any depth, the
  // store's Lua cjson neither; refused here, before any stage reads or keeps the value.
  const problem = findJsonLimitProblem(ctx.json);
  if (problem) {
    throw new Rejected(problem.kind, problem.kind === 'nesting_too_deep' ? `deeper than ${MAX_JSON_DEPTH} at ${problem.pointer}` : `lone surrogate at ${problem.pointer}`);
  }
};
