import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { AcceptedCommand, CommandRecord, LockoutView, RecordedImpact, RemoteOperationBody, SecurityAlert, VinParams, WifiBody } from '../../../protocol/index.js';
import { actorOf } from '../plugins/operator.js';
import { common, lockedErrors } from './responses.js';

/** Contract "HTTP": the car's lockout and the features it guards (D3). Only the service, never the store. */
export const vehicleRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const svc = app.incident;

  app.get('/v1/vehicles/:vin/lockout', { schema: { tags: ['vehicles'], params: VinParams, response: { 200: LockoutView, ...common } } }, async (req) => svc.lockout(req.params.vin));

  app.post(
    '/v1/vehicles/:vin/remote-operations',
    { schema: { tags: ['vehicles'], summary: '423 during a remote_operations lockout (D3.1)', params: VinParams, body: RemoteOperationBody, response: { 202: AcceptedCommand, ...lockedErrors } } },
    async (req, reply) => reply.status(202).send({ commandId: await svc.remoteOperation(req.params.vin, req.body.operation, actorOf(req)) }),
  );

  app.put(
    '/v1/vehicles/:vin/wifi',
    { schema: { tags: ['vehicles'], summary: '423 during a wifi lockout (D3.2)', params: VinParams, body: WifiBody, response: { 202: AcceptedCommand, ...lockedErrors } } },
    async (req, reply) => reply.status(202).send({ commandId: await svc.setWifi(req.params.vin, req.body.enabled, actorOf(req)) }),
  );

  app.get('/v1/vehicles/:vin/security-alerts', { schema: { tags: ['vehicles'], params: VinParams, response: { 200: Type.Array(SecurityAlert), ...common } } }, async (req) =>
    svc.securityAlerts(req.params.vin),
  );

  app.get('/v1/vehicles/:vin/impacts', { schema: { tags: ['vehicles'], summary: 'Impacts recorded, escalated or not (D1.2)', params: VinParams, response: { 200: Type.Array(RecordedImpact), ...common } } }, async (req) =>
    svc.impacts(req.params.vin),
  );

  app.get('/v1/vehicles/:vin/commands', { schema: { tags: ['vehicles'], summary: 'Commands sent to the car and its acks', params: VinParams, response: { 200: Type.Array(CommandRecord), ...common } } }, async (req) =>
    svc.commands(req.params.vin),
  );
};
