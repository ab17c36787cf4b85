import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorBody, SessionIdParams, VoiceSession } from '../../../protocol/index.js';
import { common } from './responses.js';

export const sessionRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/v1/sessions/:id', { schema: { tags: ['sessions'], params: SessionIdParams, response: { 200: VoiceSession, ...common, 404: ErrorBody } } }, async (req) =>
    app.incident.session(req.params.id),
  );
};
