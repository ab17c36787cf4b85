import type { Logger } from 'pino';
import type { Clock } from '../../../lib/clock/index.js';
import type { Config } from '../../config.js';
import { MemoryStore } from './memory-store.js';
import type { Store } from './port.js';
import { createRedisStore } from './redis-store.js';

export type { Store } from './port.js';
export { StoreUnavailable } from './port.js';
export { MemoryStore } from './memory-store.js';

/**
 * The in-memory store by default; Redis when REDIS_URL is set (issue 3). Both keep what policy.ts
 * says; the memory store forgets dedupe entries on `clock`, as Redis does with its key TTLs.
 */
export async function createStore(config: Config, logger: Logger, clock: Clock): Promise<Store> {
  if (!config.REDIS_URL) return new MemoryStore({ feedHistory: config.FEED_HISTORY, clock });
  const store = await createRedisStore({
    url: config.REDIS_URL,
    keyPrefix: config.REDIS_KEY_PREFIX,
    feedHistory: config.FEED_HISTORY,
    onError: (err) => logger.warn({ err }, 'redis trouble'),
  });
  const warning = await store.durabilityWarning();
  if (warning) logger.warn(warning);
  return store;
}
