/** Test-side access to the run's Redis (see redis-server.ts for how it is found or started). */
import { inject } from 'vitest';
import { acquireRedis, type TestRedis } from './redis-server.js';

export { NO_REDIS_HELP, acquireRedis, startRedisServer, uniquePrefix } from './redis-server.js';
export type { RedisServer, RedisServerOptions, TestRedis } from './redis-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of the Redis started by the global set-up, if any. */
    redisUrl?: string;
    /** Why no Redis could be started (shown by tests that need one). */
    redisUnavailable?: string;
  }
}

/** The run's shared Redis from globalSetup, else one of this file's own (release it in afterAll). */
export async function testRedis(): Promise<TestRedis> {
  const url = inject('redisUrl');
  if (url) return { url, kind: 'env', close: async () => {} };
  const why = inject('redisUnavailable');
  if (why) throw new Error(why);
  return acquireRedis();
}

