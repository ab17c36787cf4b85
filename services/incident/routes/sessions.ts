import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorBody, SessionIdParams, VoiceSession } from '../../../protocol/index.js';
import { ApiError } from '../errors.js';

export const sessionRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/v1/sessions/:id', { schema: { tags: ['sessions'], params: SessionIdParams, response: { 200: VoiceSession, 404: ErrorBody } } }, async (req) => {
    const s = await app.incident.store.getSession(req.params.id);
    if (!s) throw new ApiError('session_not_found');
    return s;
  });
};
