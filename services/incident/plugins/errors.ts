import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { DomainError, UNAVAILABLE_RETRY_AFTER_SECONDS } from '../domain-errors.js';
import { ApiError, httpErrorOf } from '../errors.js';
import { StoreUnavailable } from '../store/port.js';

/**
 * One error handler (STYLE 7): every failure is JSON `{error, message, ...}` with a fitting status.
 * Domain errors thrown by the service are mapped here and nowhere else (errors.ts `httpErrorOf`): 404,
 * 409 (refusals and `busy`), 423 with Retry-After, 503 `unavailable` with Retry-After. 5xx internals
 * are logged, never sent.
 */
export const errorsPlugin = fp(
  async (app: FastifyInstance) => {
    app.setErrorHandler((err: FastifyError, request, reply) => {
      const api = coded(err);
      if (api) {
        // A 503 from a store outage keeps its cause in the log only (ApiErrors are the app's own words).
        if (api.status >= 500 && !(err instanceof ApiError)) request.log.warn({ err }, `answered ${api.status} ${api.code}`);
        return reply.status(api.status).headers(api.headers).send(api.body());
      }
      if (err.validation) {
        return reply.status(400).send({ error: 'validation_failed', message: `${err.validationContext ?? 'request'} ${err.message}`.replace(/^(\w+) \1/, '$1') });
      }
      if (err.statusCode === 413 || err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
        return reply.status(413).send({ error: 'payload_too_large', message: 'the request body is too large' });
      }
      if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
        return reply.status(err.statusCode).send({ error: 'bad_request', message: err.message });
      }
      request.log.error({ err }, 'request failed');
      return reply.status(500).send({ error: 'internal', message: 'internal error' });
    });
    app.setNotFoundHandler((request, reply) => reply.status(404).send({ error: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}` }));
  },
  { name: 'errors' },
);

/** The coded answer to an error, or null for Fastify's own errors and faults (500). */
function coded(err: unknown): ApiError | null {
  if (err instanceof ApiError) return err;
  if (err instanceof DomainError) return httpErrorOf(err);
  // A store outage that reached HTTP without passing the service (which maps it itself): still a 503.
  if (err instanceof StoreUnavailable) return httpErrorOf(new DomainError('unavailable', 'the store is unavailable', { retryAfterSeconds: UNAVAILABLE_RETRY_AFTER_SECONDS }, { cause: err }));
  return null;
}
