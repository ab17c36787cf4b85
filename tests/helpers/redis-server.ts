/**
 * A real Redis for integration tests (STYLE 9), found in this order:
 * 1. `REDIS_URL` when set (CI service, a developer's own Redis);
 * 2. a `redis:7` container through testcontainers when a Docker engine answers;
 * 3. `redis-server` from PATH on a free loopback port (lib/process/redis-server.ts), stopped afterwards.
 * Otherwise it fails with a message saying how to get one.
 *
 * Vitest's globalSetup starts one for the whole run (`provideRedis`) and hands its URL to the workers
 * with `project.provide`; tests read it with `testRedis()`. Tests that stop and restart Redis start
 * their own server with `startRedisServer()`. Each test keeps to its own keys with `uniquePrefix()`.
 * No vitest import here: the global set-up (main process) loads this file too; see redis.ts.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { NO_REDIS_HELP, onPath, startRedisServer } from '../../lib/process/redis-server.js';

export { NO_REDIS_HELP, startRedisServer };
export type { RedisServer, RedisServerOptions } from '../../lib/process/redis-server.js';

export interface TestRedis {
  url: string;
  kind: 'env' | 'container' | 'process';
  close(): Promise<void>;
}

/** Finds or starts a Redis (see the file comment). */
export async function acquireRedis(): Promise<TestRedis> {
  const fromEnv = process.env.REDIS_URL;
  if (fromEnv) return { url: fromEnv, kind: 'env', close: async () => {} };
  if (await dockerAnswers()) return startContainer();
  if (await onPath('redis-server')) {
    const server = await startRedisServer();
    return { url: server.url, kind: 'process', close: () => server.close() };
  }
  throw new Error(NO_REDIS_HELP);
}

/**
 * For vitest's globalSetup: starts one Redis for the run and never fails the run (unit tests need none).
 * Skipped when every file filter on the command line is under tests/unit.
 */
export async function provideRedis(project: {
  provide: (key: 'redisUrl' | 'redisUnavailable', value: string) => void;
}): Promise<() => Promise<void>> {
  const filters = process.argv.slice(2).filter((a) => a.startsWith('tests/'));
  if (filters.length > 0 && filters.every((f) => f.startsWith('tests/unit'))) {
    project.provide('redisUnavailable', 'this run selected unit tests only, so the global set-up started no Redis');
    return async () => {};
  }
  try {
    const redis = await acquireRedis();
    project.provide('redisUrl', redis.url);
    return () => redis.close();
  } catch (err) {
    project.provide('redisUnavailable', err instanceof Error ? err.message : String(err));
    return async () => {};
  }
}

/** A key prefix of its own for one test, so tests sharing one Redis never see each other's keys. */
export function uniquePrefix(label = 't'): string {
  return `test:${label}:${randomUUID().slice(0, 8)}:`;
}

// ---------------------------------------------------------------------------------------------
// testcontainers

/** True when a Docker engine answers within 3 s (the docker CLI alone is not enough). */
async function dockerAnswers(): Promise<boolean> {
  const socket = process.env.DOCKER_HOST ?? '';
  if (!socket && !existsSync('/var/run/docker.sock') && !existsSync(join(process.env.HOME ?? '', '.docker/run/docker.sock'))) {
    return false; // nothing to ask: skip loading testcontainers at all
  }
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('docker did not answer')), 3_000);
    });
    try {
      await Promise.race([getContainerRuntimeClient(), timeout]);
    } finally {
      clearTimeout(timer);
    }
    return true;
  } catch {
    return false;
  }
}

async function startContainer(): Promise<TestRedis> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const container = await new GenericContainer('redis:7')
    .withCommand(['redis-server', '--save', '', '--appendonly', 'no'])
    .withExposedPorts(6379)
    .withWaitStrategy(Wait.forLogMessage('Ready to accept connections'))
    .withStartupTimeout(60_000)
    .start();
  return {
    url: `redis://${container.getHost()}:${container.getMappedPort(6379)}`,
    kind: 'container',
    close: async () => {
      await container.stop();
    },
  };
}
