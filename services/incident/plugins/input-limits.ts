import type { TSchema } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { findJsonLimitProblem, findUnrealTime, MAX_JSON_DEPTH } from '../../../protocol/index.js';
import { ApiError } from '../errors.js';

/**
 * Issue "No acknowledged emergency event lost", for HTTP as for MQTT ingest: a body that nests deeper
 * than MAX_JSON_DEPTH or holds a lone surrogate is refused with 400 before any handler sees it (an
 * operator's close `note` with `\ud800` would make the car's Redis record unreadable to the Lua
 * scripts), and an input the route's schema types as IsoTime must be a real time (the schema is only a
 * pattern). Registered at the root (fastify-plugin) so that every route has both hooks.
 */
export const inputLimitsPlugin = fp(
  async (app: FastifyInstance) => {
    // Before schema validation, like ingest's decode stage: nothing else walks the value first.
    app.addHook('preValidation', async (request: FastifyRequest) => {
      const body: unknown = request.body;
      if (!isParsedJson(body)) return;
      const problem = findJsonLimitProblem(body);
      if (!problem) return;
      const where = problem.pointer === '/' ? 'the body' : `body ${problem.pointer}`;
      throw problem.kind === 'nesting_too_deep'
        ? new ApiError('nesting_too_deep', `${where} nests deeper than ${MAX_JSON_DEPTH} levels`, { pointer: problem.pointer })
        : new ApiError('malformed_unicode', `${where} holds a lone surrogate (not well-formed Unicode)`, { pointer: problem.pointer });
    });
    // After schema validation, like ingest's validate stage: only schema-valid IsoTime strings are judged.
    app.addHook('preHandler', async (request: FastifyRequest) => {
      const schema = request.routeOptions.schema;
      if (!schema) return;
      for (const [part, value] of [
        ['body', request.body],
        ['querystring', request.query],
        ['params', request.params],
      ] as const) {
        const partSchema = schema[part] as TSchema | undefined;
        if (!partSchema || typeof partSchema !== 'object') continue;
        const at = findUnrealTime(partSchema, value);
        if (at !== undefined) throw new ApiError('invalid_timestamp', `${part} ${at} is not a real time`, { pointer: at });
      }
    });
  },
  { name: 'input-limits', dependencies: ['errors'] },
);

/** What Fastify's JSON (or text) parser produced; a Buffer or stream from another parser is not JSON. */
function isParsedJson(body: unknown): boolean {
  if (typeof body === 'string' || Array.isArray(body)) return true;
  if (typeof body !== 'object' || body === null) return false;
  const proto: unknown = Object.getPrototypeOf(body);
  return proto === Object.prototype || proto === null;
}
