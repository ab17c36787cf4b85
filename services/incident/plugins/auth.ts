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
      if (!request.url.startsWith('/v1/') && request.url !== '/v1') return;
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
  if (!request.url.startsWith('/v1/operator/ws')) return undefined;
  return new URL(request.url, 'http://x').searchParams.get('token') ?? undefined;
}

function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
