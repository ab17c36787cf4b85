import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { CaseIdParams, CreateDispatchBody, DealerBody, Dispatch, DispatchParams, NoResponseResult, UpdateDispatchBody, VehicleDealer, VinParams } from '../../../protocol/index.js';
import { actorOf, caseOperatorOf } from '../plugins/operator.js';
import { caseErrors, common } from './responses.js';

/**
 * Contract v1 "Dispatches", "No response" (D4.1, D4.2, D4.4) and the registered dealer (extension).
 * The operator is named as for the other case actions (plugins/operator.ts): with AUTH=on the token's.
 */
export const dispatchRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const svc = app.incident;

  app.post(
    '/v1/cases/:id/dispatches',
    {
      schema: {
        tags: ['dispatches'],
        summary: 'Send an agency (119, 110, doctor helicopter, road service, dealer transport, security guard); the case carries it',
        params: CaseIdParams,
        body: CreateDispatchBody,
        response: { 201: Dispatch, ...caseErrors },
      },
    },
    async (req, reply) => {
      const { operatorId, actor } = caseOperatorOf(req);
      const { operatorId: _named, ...body } = req.body;
      return reply.status(201).send(await svc.dispatches.create({ ...body, caseId: req.params.id, operatorId }, actor));
    },
  );

  app.patch(
    '/v1/cases/:id/dispatches/:dispatchId',
    {
      schema: {
        tags: ['dispatches'],
        summary: 'Move a dispatch forward (en_route, on_scene, completed) or cancel it; 409 dispatch_finished, dispatch_status_backwards',
        params: DispatchParams,
        body: UpdateDispatchBody,
        response: { 200: Dispatch, ...caseErrors },
      },
    },
    async (req) => {
      const { operatorId, actor } = caseOperatorOf(req);
      const { status, etaMinutes } = req.body;
      return svc.dispatches.update({ caseId: req.params.id, dispatchId: req.params.dispatchId, operatorId, status, ...(etaMinutes !== undefined ? { etaMinutes } : {}) }, actor);
    },
  );

  app.post(
    '/v1/cases/:id/no-response',
    {
      schema: {
        tags: ['dispatches'],
        summary: 'D4.2: nobody answers in an emergency call: fire/ambulance and police (and doctor helicopter) at once; 201 with what it created, 200 on a repeat that created nothing',
        params: CaseIdParams,
        body: Type.Optional(Type.Object({ operatorId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })) })),
        response: { 200: NoResponseResult, 201: NoResponseResult, ...caseErrors },
      },
      preValidation: async (req) => {
        req.body ??= {};
      },
    },
    async (req, reply) => {
      const { operatorId, actor } = caseOperatorOf(req);
      const result = await svc.dispatches.noResponse({ caseId: req.params.id, operatorId }, actor);
      return reply.status(result.created.length > 0 ? 201 : 200).send(result);
    },
  );

  app.put(
    '/v1/vehicles/:vin/dealer',
    {
      schema: {
        tags: ['vehicles'],
        summary: "Extension (D4.4): the owner's registered dealer, by its id in the dealer list; transport goes there",
        params: VinParams,
        body: DealerBody,
        response: { 200: VehicleDealer, ...common, 404: caseErrors[404], 409: caseErrors[409] },
      },
    },
    async (req) => svc.dispatches.setDealer(req.params.vin, req.body.dealerId, actorOf(req)),
  );
};
