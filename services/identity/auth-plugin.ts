import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import { DomainError } from '../incident/domain-errors.js';
import type { IdentityService } from './identity-service.js';
import { hasRole, type Access, type Principal } from './roles.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is calling (roles.ts), set on every `/v1` request; null on a public route called without credentials. */
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    /** Issue 11: the least role a route needs with AUTH=on (default `operator`), or `public` (the login). */
    access?: Access;
  }
}

export interface AuthPluginOptions {
  config: Pick<Config, 'AUTH' | 'API_TOKEN'>;
  identity: IdentityService;
}

/**
 * Who may call what (contract "Auth" and "Identity and access"), for every `/v1` route and the feed
 * (whose upgrade is a GET: refused with 401 / 403 before it happens; the feed also takes `?token=`).
 * - AUTH=off: as before issue 11: with API_TOKEN set, that bearer token is needed; no roles.
 * - AUTH=on: an operator's login token, or API_TOKEN (a service token with the admin role); the route's
 *   `config.access` names the least role (default `operator`); 401 `unauthorized` without a valid
 *   token, 403 `forbidden` for a role that may not. A logged-in operator who names another operator
 *   (`X-Operator-Id`, body `operatorId`) is refused with 403: the operator is the one the token names.
 */
export const authPlugin = fp<AuthPluginOptions>(
  async (app: FastifyInstance, { config, identity }) => {
    const apiToken = config.API_TOKEN ? Buffer.from(config.API_TOKEN) : null;
    const on = config.AUTH === 'on';
    app.decorateRequest('principal', null);

    app.addHook('onRequest', async (request: FastifyRequest) => {
      // The routed path, not the raw URL: the router decodes `/%761/cases` to `/v1/cases`.
      const path = routedPath(request);
      if (!path.startsWith('/v1/') && path !== '/v1') return;
      const access = request.routeOptions.config?.access ?? 'operator';
      const presented = bearer(request) ?? queryToken(request);
      const isApiToken = presented !== undefined && apiToken !== null && safeEqual(Buffer.from(presented), apiToken);
      if (!on) {
        if (apiToken && !isApiToken && access !== 'public') throw unauthorized(false, 'a valid bearer token is required');
        request.principal = { kind: 'open', token: isApiToken };
        return;
      }
      let principal: Principal | null = null;
      if (isApiToken) principal = { kind: 'service', role: 'admin' };
      else if (presented !== undefined) principal = await identity.authenticate(presented);
      request.principal = principal;
      if (access === 'public') return;
      if (!principal) throw unauthorized(true, presented === undefined ? 'log in: POST /v1/auth/login, then send Authorization: Bearer <token>' : 'the token is unknown, expired or logged out: log in again');
      if (!hasRole(principal.role, access)) throw new DomainError('forbidden', `this needs the ${access} role; you are ${principal.role}`, { required: access });
    });

    // After the body is parsed, before it is validated: naming another operator than the token's is 403.
    app.addHook('preValidation', async (request: FastifyRequest) => {
      const p = request.principal;
      if (p?.kind !== 'operator') return;
      const header = request.headers['x-operator-id'];
      const named = [...(Array.isArray(header) ? header : header === undefined ? [] : [header]), (request.body as { operatorId?: unknown } | undefined)?.operatorId];
      for (const n of named) {
        if (n !== undefined && n !== p.username) throw new DomainError('forbidden', `you are logged in as ${p.username}; you cannot act as ${String(n)}`, {});
      }
    });
  },
  { name: 'auth', dependencies: ['errors'] },
);

function unauthorized(login: boolean, message: string): DomainError<'unauthorized'> {
  return new DomainError('unauthorized', message, { login });
}

function bearer(request: FastifyRequest): string | undefined {
  const h = request.headers.authorization;
  return h?.startsWith('Bearer ') ? h.slice(7).trim() : undefined;
}

function queryToken(request: FastifyRequest): string | undefined {
  if (!routedPath(request).startsWith('/v1/operator/ws')) return undefined;
  return new URL(request.url, 'http://x').searchParams.get('token') ?? undefined;
}

function routedPath(request: FastifyRequest): string {
  return request.routeOptions.url ?? request.url;
}

function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
