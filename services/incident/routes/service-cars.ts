import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ServiceCarCredentialsIssued, ServiceCarParams } from '../../../protocol/index.js';
import { actorOf } from '../plugins/operator.js';
import { common } from './responses.js';

/** Issue 12 part 6 (D4.6): a service car's MQTT credentials (admin), like a vehicle's (contract "Identity and access"). */
export const serviceCarRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const svc = app.incident;
  app.put(
    '/v1/service-cars/:id/credentials',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['dispatches'],
        summary: "Issue or rotate a service car's MQTT password (admin; username svc-{id}, publishes only its own position): shown once, kept hashed",
        params: ServiceCarParams,
        response: { 201: ServiceCarCredentialsIssued, ...common },
      },
    },
    async (req, reply) => reply.status(201).send(await svc.issueServiceCarCredentials(req.params.id, actorOf(req))),
  );
};
