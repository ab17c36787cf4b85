import type { FastifyPluginAsync } from 'fastify';
import { FEED_CLOSE } from '../../../protocol/index.js';

/** `GET /v1/operator/ws[?since=<seq>]`: the live incident feed (contract, "WebSocket"). */
export const feedRoute: FastifyPluginAsync = async (app) => {
  app.get('/v1/operator/ws', { websocket: true, schema: { hide: true } }, (socket, req) => {
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
  });
};
