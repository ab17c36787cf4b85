import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { Case, CaseIdParams, CaseListQuery, CaseWithSession, CloseBody, OperatorBody } from '../../../protocol/index.js';
import { caseOperatorOf, maySupervise } from '../plugins/operator.js';
import { caseErrors, common } from './responses.js';

/** Contract "HTTP": cases and the operator's work on them (D2, D4). Only the service, never the store. */
export const caseRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const svc = app.incident;

  app.get('/v1/cases', { schema: { tags: ['cases'], querystring: CaseListQuery, response: { 200: Type.Array(Case), ...common } } }, async (req) =>
    svc.listCases(req.query.status ?? 'open'),
  );

  app.get('/v1/cases/:id', { schema: { tags: ['cases'], params: CaseIdParams, response: { 200: CaseWithSession, ...caseErrors } } }, async (req) =>
    svc.caseWithSession(req.params.id),
  );

  const action = (kind: 'answer' | 'hangup' | 'callback', summary: string) =>
    app.post(
      `/v1/cases/:id/${kind}`,
      {
        schema: { tags: ['cases'], summary, params: CaseIdParams, body: Type.Optional(OperatorBody), response: { 200: Case, ...caseErrors } },
        // The body is optional (the operator may be named by X-Operator-Id alone); Fastify would check undefined against the object schema.
        preValidation: async (req) => {
          req.body ??= {};
        },
      },
      async (req) => {
        const { operatorId, actor } = caseOperatorOf(req);
        return svc.operatorAction({ kind, caseId: req.params.id, operatorId }, actor);
      },
    );
  action('answer', 'Operator takes the case; the call becomes connected; 409 if another operator has it');
  action('hangup', 'Operator clears the call (D2.2: the only way to end an auto-notification call)');
  action('callback', 'Operator calls the car back after clear-down (D2.6)');

  app.post(
    '/v1/cases/:id/close',
    { schema: { tags: ['cases'], summary: 'Close the case with a resolution; the call must be cleared', params: CaseIdParams, body: CloseBody, response: { 200: Case, ...caseErrors } } },
    async (req) => {
      const { operatorId, actor } = caseOperatorOf(req);
      return svc.operatorAction({ kind: 'close', caseId: req.params.id, operatorId, resolution: req.body.resolution, ...(req.body.note ? { note: req.body.note } : {}) }, actor);
    },
  );

  // Issue 11: the holder lets the case go; a supervisor may release a case another operator holds (403 for an operator).
  app.post(
    '/v1/cases/:id/release',
    {
      schema: {
        tags: ['cases'],
        summary: "Release the case (it keeps its call); a supervisor may release another operator's case",
        params: CaseIdParams,
        body: Type.Optional(OperatorBody),
        response: { 200: Case, ...caseErrors },
      },
      preValidation: async (req) => {
        req.body ??= {};
      },
    },
    async (req) => svc.releaseCase(req.params.id, { ...caseOperatorOf(req), mayReleaseOthers: maySupervise(req) }),
  );
};
