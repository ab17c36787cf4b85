import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AuditPage, AuditQuery, ErrorBody } from '../../protocol/index.js';
import { common } from '../incident/routes/responses.js';

/** Issue 11: `GET /v1/audit` (supervisor and admin with AUTH=on; anyone with AUTH=off). */
export const auditRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/v1/audit',
    {
      config: { access: 'supervisor' },
      schema: {
        tags: ['audit'],
        summary: 'The audit, newest first: filter by caseId, actor (id), since; limit 1-500 (default 100); page on with before=<next>',
        querystring: AuditQuery,
        response: { 200: AuditPage, ...common, 400: ErrorBody },
      },
    },
    async (req) => app.incident.audit(req.query),
  );
};
