import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { ApiError } from '../errors.js';

/**
 * One error handler (STYLE 7): every failure is JSON `{error, message, ...}` with a fitting status;
 * 5xx internals are logged, never sent.
 */
export const errorsPlugin = fp(
  async (app: FastifyInstance) => {
    app.setErrorHandler((err: FastifyError | ApiError, request, reply) => {
      if (err instanceof ApiError) {
        return reply.status(err.status).headers(err.headers).send(err.body());
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
