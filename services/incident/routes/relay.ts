import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { CaseIdParams, CreateRelayBody, PhoneResultBody, Relay, RelayParams } from '../../../protocol/index.js';
import { caseOperatorOf } from '../plugins/operator.js';
import { caseErrors } from './responses.js';

/**
 * Contract v1 "Message relay" (D4.5). The operator is named as for the other case actions
 * (plugins/operator.ts): with AUTH=on the token's (any role); naming another is 403.
 */
export const relayRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const svc = app.incident;

  app.post(
    '/v1/cases/:id/relay',
    {
      schema: {
        tags: ['dispatches'],
        summary: "D4.5: relay a message to the owner's first contact with a phone (called once); 409 relay_not_available, no_registered_contact, already_called",
        params: CaseIdParams,
        body: CreateRelayBody,
        response: { 201: Relay, ...caseErrors },
      },
    },
    async (req, reply) => {
      const { operatorId, actor } = caseOperatorOf(req);
      return reply.status(201).send(await svc.messageRelay.create({ caseId: req.params.id, operatorId, message: req.body.message }, actor));
    },
  );

  app.post(
    '/v1/cases/:id/relay/:relayId/phone-result',
    {
      schema: {
        tags: ['dispatches'],
        summary: 'D4.5: the result of the one call: answered -> delivered; not answered -> a call-back email to a confirmed address (delivered), else unreachable; 409 already_called',
        params: RelayParams,
        body: PhoneResultBody,
        response: { 200: Relay, ...caseErrors },
      },
    },
    async (req) => {
      const { operatorId, actor } = caseOperatorOf(req);
      return svc.messageRelay.phoneResult({ caseId: req.params.id, relayId: req.params.relayId, operatorId, answered: req.body.answered }, actor);
    },
  );
};
