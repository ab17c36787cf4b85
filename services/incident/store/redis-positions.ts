import type { Redis } from 'ioredis';
import type { KnownPosition } from '../../../protocol/index.js';
import type { KnownPositions } from '../domain/positions.js';
import { POSITION_POLICY, type PositionUpdate } from './positions-port.js';
import type { RedisKeys } from './redis-keys.js';

/**
 * KEYS: per car, `pos:{vin}` (hash: `at` epoch ms, `last` JSON) and `pos:{vin}:track` (zset: track
 * points scored by their time). ARGV: 1 TTL ms, 2 track points kept, then per car: at ms, last JSON,
 * point count, (score, JSON) per point. The newer fix wins; a point replaces one of the same time; the
 * newest `kept` stay. Merging here makes batches of several instances add up in any order.
 */
const SAVE_POSITIONS = `
local ttl, kept = ARGV[1], tonumber(ARGV[2])
local a = 3
for i = 1, #KEYS, 2 do
  local h, z = KEYS[i], KEYS[i + 1]
  local at, n = tonumber(ARGV[a]), tonumber(ARGV[a + 2])
  local cur = redis.call('HGET', h, 'at')
  if not cur or at > tonumber(cur) then redis.call('HSET', h, 'at', ARGV[a], 'last', ARGV[a + 1]) end
  a = a + 3
  for j = 1, n do
    redis.call('ZREMRANGEBYSCORE', z, ARGV[a], ARGV[a])
    redis.call('ZADD', z, ARGV[a], ARGV[a + 1])
    a = a + 2
  end
  redis.call('ZREMRANGEBYRANK', z, 0, -(kept + 1))
  redis.call('PEXPIRE', h, ttl)
  redis.call('PEXPIRE', z, ttl)
end
return #KEYS / 2
`;

/** Cars per script call: a batch of thousands of cars goes as several calls, pipelined on the one connection. */
const CARS_PER_CALL = 250;

interface PositionScripts {
  anshinSavePositions(numKeys: number, ...keysAndArgs: (string | number)[]): Promise<number>;
}

/** One fix as stored: always the same keys in the same order, so equal fixes are equal members. */
function encode(p: KnownPosition): string {
  return JSON.stringify({ lat: p.lat, lon: p.lon, at: p.at, trusted: p.trusted, ...(p.headingDeg !== undefined ? { headingDeg: p.headingDeg } : {}) });
}

/** The Redis adapter's positions (positions-port.ts); the RedisStore maps its errors to outages. */
export class RedisPositions {
  private readonly redis: Redis & PositionScripts;

  constructor(redis: Redis, private readonly keys: RedisKeys) {
    this.redis = redis as Redis & PositionScripts;
    if (typeof this.redis.anshinSavePositions !== 'function') redis.defineCommand('anshinSavePositions', { lua: SAVE_POSITIONS });
  }

  async save(updates: PositionUpdate[]): Promise<void> {
    const calls: Promise<number>[] = [];
    for (let i = 0; i < updates.length; i += CARS_PER_CALL) {
      const keys: string[] = [];
      const args: (string | number)[] = [POSITION_POLICY.ttlSeconds * 1000, POSITION_POLICY.trackKept];
      for (const u of updates.slice(i, i + CARS_PER_CALL)) {
        keys.push(this.keys.position(u.vin), this.keys.positionTrack(u.vin));
        args.push(Date.parse(u.last.at), encode(u.last), u.track.length);
        for (const p of u.track) args.push(Date.parse(p.at), encode(p));
      }
      // Not awaited one by one: the calls go out back to back (a pipeline), and are awaited together.
      calls.push(this.redis.anshinSavePositions(keys.length, ...keys, ...args));
    }
    await Promise.all(calls);
  }

  async load(vin: string): Promise<KnownPositions | null> {
    const replies = await this.redis.multi().hget(this.keys.position(vin), 'last').zrange(this.keys.positionTrack(vin), '0', '-1').exec();
    const [[lastErr, last], [trackErr, track]] = replies as [[Error | null, string | null], [Error | null, string[]]];
    if (lastErr) throw lastErr;
    if (trackErr) throw trackErr;
    return decodePositions(last, track);
  }
}

/** A car's stored positions as read (`last` null or empty: none kept), here and in an event's read (redis-store.ts). */
export function decodePositions(last: string | null, track: string[]): KnownPositions | null {
  if (!last) return null;
  return { last: JSON.parse(last) as KnownPosition, track: track.map((m) => JSON.parse(m) as KnownPosition) };
}
