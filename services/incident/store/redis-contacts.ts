import type { Redis } from 'ioredis';
import type { ContactTokenEntry, ContactTokenStore } from './contacts-port.js';

/** The Redis adapter's contact-token index (contacts-port.ts): `ctoken:{sha256}` -> VIN, expiring with the token (PX). */
export class RedisContactTokens implements ContactTokenStore {
  constructor(
    private readonly redis: Redis,
    private readonly key: (tokenHash: string) => string,
  ) {}

  async putContactTokens(entries: ContactTokenEntry[], ttlMs: number): Promise<void> {
    if (entries.length === 0) return;
    const tx = this.redis.multi();
    for (const e of entries) tx.set(this.key(e.tokenHash), e.vin, 'PX', Math.max(1, Math.round(ttlMs)));
    await tx.exec();
  }

  async findContactToken(tokenHash: string): Promise<string | null> {
    return this.redis.get(this.key(tokenHash));
  }
}
