import type { Redis } from 'ioredis';
import type { RedisKeys } from './redis-keys.js';
import { SERVICE_CAR_POLICY, type ServiceCarFix } from './service-car-port.js';

/**
 * KEYS: per service car `svc:{id}` (hash: `at` ISO time, `fix` JSON). ARGV: 1 TTL ms, then per car: at,
 * fix JSON. A fix replaces the kept one only if newer (ISO times compare as text), so batches from
 * several instances add up in any order.
 */
const SAVE_FIXES = `
for i = 1, #KEYS do
  local at, json = ARGV[i * 2], ARGV[i * 2 + 1]
  local cur = redis.call('HGET', KEYS[i], 'at')
  if not cur or at > cur then redis.call('HSET', KEYS[i], 'at', at, 'fix', json) end
  redis.call('PEXPIRE', KEYS[i], ARGV[1])
end
return #KEYS
`;

interface Scripts {
  anshinSaveServiceCarFixes(numKeys: number, ...keysAndArgs: (string | number)[]): Promise<number>;
}

/** The Redis adapter's part of service-car-port.ts; keys `track:{token}`, `svc:{id}` (redis-keys.ts). */
export class RedisServiceCars {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {
    if (!('anshinSaveServiceCarFixes' in redis)) redis.defineCommand('anshinSaveServiceCarFixes', { lua: SAVE_FIXES });
  }

  async putToken(token: string, caseId: string): Promise<void> {
    await this.redis.set(this.keys.trackToken(token), caseId, 'EX', SERVICE_CAR_POLICY.tokenTtlSeconds);
  }

  findToken(token: string): Promise<string | null> {
    return this.redis.get(this.keys.trackToken(token));
  }

  async save(fixes: ServiceCarFix[]): Promise<void> {
    if (fixes.length === 0) return;
    const keys = fixes.map((f) => this.keys.serviceCar(f.id));
    const args = fixes.flatMap((f) => [f.at, JSON.stringify(f)]);
    await (this.redis as unknown as Scripts).anshinSaveServiceCarFixes(keys.length, ...keys, SERVICE_CAR_POLICY.fixTtlSeconds * 1000, ...args);
  }

  async load(id: string): Promise<ServiceCarFix | null> {
    const json = await this.redis.hget(this.keys.serviceCar(id), 'fix');
    return json ? (JSON.parse(json) as ServiceCarFix) : null;
  }
}
