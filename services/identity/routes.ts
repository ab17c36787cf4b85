import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import {
  CreateOperatorBody,
  ErrorBody,
  LoginBody,
  LoginResponse,
  OperatorAccount,
  OperatorList,
  UsernameParams,
  VehicleCredentialsIssued,
  VinParams,
} from '../../protocol/index.js';
import { actorOf } from '../incident/plugins/operator.js';
import { common } from '../incident/routes/responses.js';

/**
 * Issue 11: login and logout, operator accounts (admin), vehicle credentials (admin). The routes call
 * the identity service (identity-service.ts) through the incident service's front door; what a role may
 * call is each route's `config.access` (auth-plugin.ts).
 */
export const identityRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const identity = app.incident.identity;
  const loginErrors = { 400: ErrorBody, 401: ErrorBody, 429: ErrorBody, 500: ErrorBody, 503: ErrorBody } as const;

  app.post(
    '/v1/auth/login',
    {
      config: { access: 'public' },
      schema: {
        tags: ['auth'],
        summary: 'Operator login (AUTH=on): a bearer token until expiresAt or logout; 401 invalid_credentials; 429 after too many failures',
        security: [],
        body: LoginBody,
        response: { 200: LoginResponse, ...loginErrors },
      },
    },
    async (req) => identity.login(req.body.username, req.body.password, req.ip),
  );

  app.post(
    '/v1/auth/logout',
    { schema: { tags: ['auth'], summary: 'Ends the bearer token, on every instance', response: { 204: Type.Null(), ...common } } },
    async (req, reply) => {
      if (req.principal) await identity.logout(req.principal);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/v1/operators',
    {
      config: { access: 'admin' },
      schema: { tags: ['operators'], summary: 'Create an operator account (admin)', body: CreateOperatorBody, response: { 201: OperatorAccount, ...common, 409: ErrorBody } },
    },
    async (req, reply) => reply.status(201).send(await identity.createOperator(req.body, actorOf(req))),
  );

  app.get('/v1/operators', { config: { access: 'admin' }, schema: { tags: ['operators'], summary: 'Operator accounts by username (admin)', response: { 200: OperatorList, ...common } } }, async () => ({
    operators: await identity.listOperators(),
  }));

  app.delete(
    '/v1/operators/:username',
    {
      config: { access: 'admin' },
      schema: { tags: ['operators'], summary: 'Delete an account and end its tokens (admin); 409 last_admin', params: UsernameParams, response: { 204: Type.Null(), ...common, 404: ErrorBody, 409: ErrorBody } },
    },
    async (req, reply) => {
      await identity.deleteOperator(req.params.username, actorOf(req));
      return reply.status(204).send(null);
    },
  );

  app.put(
    '/v1/vehicles/:vin/credentials',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['vehicles'],
        summary: "Issue or rotate the car's MQTT password (admin): shown once, kept hashed; the old session is disconnected",
        params: VinParams,
        response: { 201: VehicleCredentialsIssued, ...common },
      },
    },
    async (req, reply) => reply.status(201).send(await identity.issueVehicleCredentials(req.params.vin, actorOf(req))),
  );
};
