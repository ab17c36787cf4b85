import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Stats } from '../../../protocol/index.js';
import { common } from './responses.js';

/** Contract v1 "Answer targets": `GET /v1/stats`, supervisor (anyone with AUTH=off). */
export const statsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/v1/stats',
    {
      config: { access: 'supervisor' },
      schema: { tags: ['stats'], summary: 'Queue depth, answer times against ANSWER_TARGET_S, open dispatches, operators on duty', response: { 200: Stats, ...common } },
    },
    async () => app.incident.stats(),
  );
};
