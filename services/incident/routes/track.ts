import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorBody, TrackParams, TrackView } from '../../../protocol/index.js';
import { TRACK_PAGE } from './track-page.js';

/** The token is in the path: no Referer may carry it elsewhere, and no cache may keep the answer. */
const PRIVATE_HEADERS = { 'referrer-policy': 'no-referrer', 'cache-control': 'no-store' } as const;

/**
 * Issue 12 part 6, contract "Service-car arrival" (D4.6): the owner's tracking link. Public: the token
 * (256 random bits, track.ts) is the only credential, with AUTH=on or API_TOKEN set too. 404
 * `track_not_found` for an unknown token, 410 `track_ended` once the dispatch is completed or cancelled.
 */
export const trackRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const svc = app.incident;

  app.get(
    '/v1/track/:token',
    {
      config: { access: 'public' },
      schema: {
        tags: ['dispatches'],
        summary: "D4.6: the owner's view of a service car on its way: where it is, where it goes, ETA (public: the token is the credential)",
        params: TrackParams,
        response: { 200: TrackView, 400: ErrorBody, 404: ErrorBody, 410: ErrorBody, 500: ErrorBody, 503: ErrorBody },
      },
    },
    async (req, reply) => {
      void reply.headers(PRIVATE_HEADERS);
      return svc.tracking.view(req.params.token);
    },
  );

  // The owner's page: plain HTML with a little script polling the JSON above; nothing from elsewhere.
  app.get('/track/:token', { schema: { hide: true, params: TrackParams } }, async (_req, reply) =>
    reply
      .headers({
        ...PRIVATE_HEADERS,
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
      })
      .send(TRACK_PAGE),
  );
};
