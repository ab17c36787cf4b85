import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { withScripts, type ScriptedRedis } from './redis-scripts.js';

/**
 * A lease held by one instance at a time (SET NX PX with an owner token), e.g. so that one instance
 * fires lockout expiries (D3.5) while the others stand by. Redis expires the lease itself, so an
 * instance that dies without releasing loses it after `ttlMs`; the holder renews well before that
 * (a third of the TTL is usual). Renew and release are scripts that act only while this owner holds it,
 * so an instance whose lease already moved on can never extend or delete the new holder's lease.
 *
 * Not a fencing token: a holder paused longer than the TTL may still act once after losing the lease.
 * Lockout expiry is a versioned commit, so a late second firing conflicts or decides "nothing to do".
 */
export class RedisLease {
  readonly owner: string;
  private readonly redis: ScriptedRedis;

  constructor(
    redis: Redis,
    readonly key: string,
    readonly ttlMs: number,
    owner: string = randomUUID(),
  ) {
    this.redis = withScripts(redis);
    this.owner = owner;
  }

  /** True when this owner now holds the lease (taken fresh, or already held and renewed). */
  async acquire(): Promise<boolean> {
    const set = await this.redis.set(this.key, this.owner, 'PX', this.ttlMs, 'NX');
    if (set === 'OK') return true;
    return this.renew();
  }

  /** Extends the lease; false when this owner does not hold it (any more). */
  async renew(): Promise<boolean> {
    return (await this.redis.anshinLeaseRenew(this.key, this.owner, this.ttlMs)) === 1;
  }

  /** Gives the lease up at once; false when this owner did not hold it. */
  async release(): Promise<boolean> {
    return (await this.redis.anshinLeaseRelease(this.key, this.owner)) === 1;
  }

  /** Who holds it now, or null. */
  async holder(): Promise<string | null> {
    return this.redis.get(this.key);
  }
}
