import type { FastifyPluginAsync } from 'fastify';
import { FEED_CLOSE } from '../../../protocol/index.js';
import { guardFeedSocket } from '../../identity/feed-guard.js';
import { ApiError } from '../errors.js';

/** `GET /v1/operator/ws[?since=<seq>]`: the live incident feed (contract, "WebSocket"). */
export const feedRoute: FastifyPluginAsync = async (app) => {
  app.get(
    '/v1/operator/ws',
    {
      websocket: true,
      schema: { hide: true },
      // FEED_MAX_CLIENTS: refused with 503 before the upgrade (after auth, whose hook runs first), not
      // with a 1013 close after it: no socket is set up for nothing, and a client that follows the
      // contract reconnects at once after 1013 ("resumes with since"), which against a full hub
      // would be a reconnect loop; a refused upgrade makes the console back off (feed-socket.ts).
      onRequest: async () => {
        if (app.incident.feed.hasRoom()) return;
        app.incident.metrics.feedClosed.inc({ reason: 'too_many_clients' });
        throw new ApiError('unavailable', 'too many feed clients', {}, { 'retry-after': '5' });
      },
    },
    (socket, req) => {
      const { since: raw, epoch } = req.query as { since?: string; epoch?: string };
      if (raw !== undefined && !/^\d{1,15}$/.test(raw)) {
        socket.close(FEED_CLOSE.badRequest, 'since must be a non-negative integer');
        return;
      }
      if (epoch !== undefined && !/^[A-Za-z0-9-]{1,64}$/.test(epoch)) {
        socket.close(FEED_CLOSE.badRequest, 'epoch must be the one a snapshot gave');
        return;
      }
      void app.incident.feed.attach(socket, raw === undefined ? undefined : Number(raw), epoch);
      // Issue 11: a logged-in operator's feed lasts as long as the login token.
      guardFeedSocket(app.incident.identity, app.incident.clock, req.principal, socket);
    },
  );
};
