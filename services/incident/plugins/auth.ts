import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ApiError } from '../errors.js';

/** Contract "Auth": with API_TOKEN set, every /v1 route and the feed need the bearer token (the feed also `?token=`). */
export const authPlugin = fp<{ token: string | undefined }>(
  async (app: FastifyInstance, { token }) => {
    if (!token) return;
    const expected = Buffer.from(token);
    app.addHook('onRequest', async (request: FastifyRequest) => {
      // The routed path, not the raw URL: the router decodes `/%761/cases` to `/v1/cases`.
      const path = routedPath(request);
      if (!path.startsWith('/v1/') && path !== '/v1') return;
      const presented = bearer(request) ?? queryToken(request);
      if (!presented || !safeEqual(Buffer.from(presented), expected)) throw new ApiError('unauthorized');
    });
  },
  { name: 'auth' },
);

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
