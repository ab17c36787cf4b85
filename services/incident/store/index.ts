import type { Config } from '../../config.js';
import { MemoryStore } from './memory-store.js';
import type { Store } from './port.js';

export type { Store } from './port.js';
export { MemoryStore } from './memory-store.js';

/** The in-memory store by default; Redis when REDIS_URL is set (issue 3). */
export async function createStore(config: Config): Promise<Store> {
  if (!config.REDIS_URL) return new MemoryStore({ feedHistory: config.FEED_HISTORY });
  const redisModule = './redis-store.js';
  const { createRedisStore } = (await import(redisModule)) as { createRedisStore: (o: { url: string; feedHistory?: number }) => Promise<Store> };
  return createRedisStore({ url: config.REDIS_URL, feedHistory: config.FEED_HISTORY });
}
