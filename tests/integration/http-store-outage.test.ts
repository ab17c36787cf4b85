/**
 * Foundations 3 against a real Redis (the unit test uses a store double): while Redis is down or hangs,
 * the API answers 503 `unavailable` with Retry-After, never a bare 500, and serves again by itself once
 * Redis is back. `buildApp` + `inject` (no HTTP port); a redis-server process of this test's own.
 */
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../lib/clock/index.js';
import { loadConfig } from '../../services/config.js';
import { buildApp } from '../../services/incident/app.js';
import { IncidentService } from '../../services/incident/service.js';
import { createRedisStore, type RedisStore } from '../../services/incident/store/redis-store.js';
import { StoreUnavailable } from '../../services/incident/store/port.js';
import { startRedisServer, uniquePrefix, type RedisServer } from '../helpers/redis.js';
import { vin } from '../helpers/vins.js';

let server: RedisServer | undefined;
let store: RedisStore | undefined;
let service: IncidentService | undefined;
let app: FastifyInstance | undefined;
afterEach(async () => {
  if (server?.running) server.thaw();
  await app?.close();
  await service?.stop();
  await store?.close();
  await server?.close();
  server = store = service = app = undefined;
});

async function start(): Promise<FastifyInstance> {
  server = await startRedisServer({ appendonly: true });
  store = await createRedisStore({ url: server.url, keyPrefix: uniquePrefix('http-outage'), commandTimeoutMs: 500 });
  const clock = new VirtualClock(Date.parse('2026-11-21T10:00:00.000Z'));
  const config = loadConfig({}, { LOG_LEVEL: 'silent' });
  const logger = pino({ level: 'silent' });
  service = new IncidentService({ store, clock, config, logger, newId: () => 'ID1', outbound: { publish: (_t, _p, _o, done) => done?.() } });
  await service.start();
  app = await buildApp({ service, config, logger, readiness: [] });
  return app;
}

describe('HTTP during a Redis outage', () => {
  it('Redis stopped: reads and writes answer 503 unavailable with Retry-After and no internals; 200 again after Redis restarts', async () => {
    const http = await start();
    const V = vin(61);
    expect((await http.inject({ method: 'GET', url: '/v1/cases' })).statusCode).toBe(200);

    await server!.stop();
    for (const req of [
      { method: 'GET' as const, url: '/v1/cases' },
      { method: 'GET' as const, url: `/v1/vehicles/${V}/lockout` },
      { method: 'PUT' as const, url: `/v1/vehicles/${V}/wifi`, payload: { enabled: true } },
    ]) {
      const res = await http.inject(req);
      expect(res.statusCode, `${req.method} ${req.url}`).toBe(503);
      expect(res.json()).toEqual({ error: 'unavailable', message: 'a dependency is unavailable' });
      expect(res.headers['retry-after']).toBe('5');
      expect(res.body).not.toMatch(/redis|127\.0\.0\.1|ECONN|\.ts:\d+/i);
    }
    // The adapter names the outage itself, so the service needs no ping to know it.
    await expect(store!.getCase('x')).rejects.toBeInstanceOf(StoreUnavailable);

    await server!.start();
    await expect.poll(async () => (await http.inject({ method: 'GET', url: '/v1/cases' })).statusCode, { timeout: 15_000, interval: 100 }).toBe(200);
  });

  it('Redis hangs (SIGSTOP): the command timeout answers 503, not a hung request or a 500', async () => {
    const http = await start();
    server!.freeze();
    const res = await http.inject({ method: 'GET', url: '/v1/cases?status=closed' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ error: 'unavailable' });
    expect(res.headers['retry-after']).toBe('5');
    server!.thaw();
    await expect.poll(async () => (await http.inject({ method: 'GET', url: '/v1/cases?status=closed' })).statusCode, { timeout: 15_000, interval: 100 }).toBe(200);
  });
});
