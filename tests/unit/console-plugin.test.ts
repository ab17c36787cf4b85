import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consolePlugin } from '../../services/console/plugin.js';

let dist: string;
let empty: string;

beforeAll(() => {
  dist = mkdtempSync(join(tmpdir(), 'console-dist-'));
  mkdirSync(join(dist, 'assets'));
  writeFileSync(join(dist, 'index.html'), '<!doctype html><title>console</title><div id="app"></div>');
  writeFileSync(join(dist, 'assets', 'index-abc123.js'), 'console.log(1)');
  empty = mkdtempSync(join(tmpdir(), 'console-empty-'));
});
afterAll(() => {
  rmSync(dist, { recursive: true, force: true });
  rmSync(empty, { recursive: true, force: true });
});

/** The service's own routes, as it registers them beside the console. */
async function service(root: string): Promise<FastifyInstance> {
  const app = Fastify();
  await app.register(swagger, { openapi: { info: { title: 't', version: '1' } } });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/healthz', async () => ({ ok: true }));
  app.get('/metrics', async () => 'm 1\n');
  app.get('/v1/cases', async () => []);
  await app.register(consolePlugin, { root });
  await app.ready();
  return app;
}

describe('console plugin', () => {
  it('serves the built page at / with a strict CSP and hashed assets as immutable', async () => {
    const app = await service(dist);
    const page = await app.inject('/');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.body).toContain('<div id="app">');
    expect(page.headers['content-security-policy']).toContain("connect-src 'self'");
    expect(page.headers['cache-control']).toBe('no-cache');
    const asset = await app.inject('/assets/index-abc123.js');
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toContain('immutable');
    await app.close();
  });

  it('shadows none of the service routes and adds no catch-all', async () => {
    const app = await service(dist);
    expect((await app.inject('/healthz')).json()).toEqual({ ok: true });
    expect((await app.inject('/metrics')).body).toBe('m 1\n');
    expect((await app.inject('/v1/cases')).json()).toEqual([]);
    expect((await app.inject('/docs/json')).statusCode).toBe(200);
    const unknown = await app.inject('/v1/nothing-here');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.headers['content-type']).toMatch(/application\/json/);
    expect((await app.inject('/some/page')).statusCode).toBe(404);
    await app.close();
  });

  it('says how to build the console when dist is missing', async () => {
    const app = await service(empty);
    const page = await app.inject('/');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('npm run build:console');
    expect((await app.inject('/healthz')).statusCode).toBe(200);
    await app.close();
  });
});
