/** The store port's contract (STYLE 8), run against both adapters: memory (the reference) and Redis. */
import { afterAll, beforeAll } from 'vitest';
import { MemoryStore } from '../../services/incident/store/memory-store.js';
import { createRedisStore } from '../../services/incident/store/redis-store.js';
import { testRedis, uniquePrefix, type TestRedis } from '../helpers/redis.js';
import { describeStoreContract } from '../helpers/store-contract.js';

describeStoreContract('MemoryStore', async (options) => new MemoryStore(options));

let redis: TestRedis;
beforeAll(async () => {
  redis = await testRedis();
});
afterAll(async () => {
  await redis?.close();
});

describeStoreContract('RedisStore', (options) =>
  createRedisStore({ url: redis.url, keyPrefix: uniquePrefix('contract'), ...options }),
);
