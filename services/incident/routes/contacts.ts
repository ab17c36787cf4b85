import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ConfirmContactBody, ContactConfirmed, ErrorBody, PutContactsBody, VehicleContacts, VinParams } from '../../../protocol/index.js';
import { actorOf } from '../plugins/operator.js';
import { caseErrors, common } from './responses.js';

/**
 * Contract v1 "Message relay" (D4.5): the owner's contacts and the confirmation of their addresses.
 * With AUTH=on the contacts are registered and read by any logged-in role (an operator or admin acting
 * for the owner, who registers by phone or at the dealer; this project has no owner accounts); the
 * confirmation is public: its token, mailed to the address, is the only credential.
 */
export const contactRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const svc = app.incident;

  app.put(
    '/v1/vehicles/:vin/contacts',
    {
      schema: {
        tags: ['vehicles'],
        summary: "D4.5: the owner's contacts, in the order to call; a new email address starts provisional and is mailed a confirmation token",
        params: VinParams,
        body: PutContactsBody,
        response: { 200: VehicleContacts, ...common, 409: caseErrors[409] },
      },
    },
    async (req) => svc.contacts.put(req.params.vin, req.body.contacts, actorOf(req)),
  );

  app.get(
    '/v1/vehicles/:vin/contacts',
    {
      schema: {
        tags: ['vehicles'],
        summary: "D4.5: the owner's contacts with each address's status (provisional or confirmed)",
        params: VinParams,
        response: { 200: VehicleContacts, ...common },
      },
    },
    async (req) => svc.contacts.get(req.params.vin),
  );

  app.post(
    '/v1/contacts/confirm',
    {
      config: { access: 'public' },
      schema: {
        tags: ['vehicles'],
        summary: 'D4.5: confirm a contact address with the token mailed to it (public: the token is the credential); 404 unknown, 410 used or expired',
        body: ConfirmContactBody,
        response: { 200: ContactConfirmed, ...common, 404: ErrorBody, 409: ErrorBody, 410: ErrorBody },
      },
    },
    async (req) => svc.contacts.confirm(req.body.token),
  );
};
