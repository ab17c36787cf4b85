/** The test infrastructure itself (lib/process/redis-server.ts): a redis-server that stops and restarts on its port. */
import { existsSync } from 'node:fs';
import { createConnection } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireRedis, NO_REDIS_HELP, startRedisServer, uniquePrefix, type RedisServer } from '../helpers/redis.js';

let server: RedisServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

describe('test Redis helper', () => {
  it('starts redis-server on a free loopback port, stops it and starts it again on the same port', async () => {
    server = await startRedisServer();
    const { port } = server;
    expect(server.url).toBe(`redis://127.0.0.1:${port}`);
    expect(server.running).toBe(true);
    await server.stop();
    expect(server.running).toBe(false);
    expect(await answers(port)).toBe(false);
    await server.start();
    expect(server.port).toBe(port);
    expect(await answers(port)).toBe(true);
  });

  // With a Docker engine around, the helper would rightly start a container instead.
  it.skipIf(existsSync('/var/run/docker.sock'))('says how to get a Redis when there is none', async () => {
    const saved = { PATH: process.env.PATH, REDIS_URL: process.env.REDIS_URL, DOCKER_HOST: process.env.DOCKER_HOST };
    process.env.PATH = '/nonexistent';
    delete process.env.REDIS_URL;
    delete process.env.DOCKER_HOST;
    try {
      await expect(acquireRedis()).rejects.toThrow(NO_REDIS_HELP);
      await expect(startRedisServer()).rejects.toThrow(/apt-get install -y redis-server/);
    } finally {
      for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  it('gives every test a key prefix of its own', () => {
    expect(uniquePrefix('x')).toMatch(/^test:x:[0-9a-f]{8}:$/);
    expect(uniquePrefix('x')).not.toBe(uniquePrefix('x'));
  });
});
