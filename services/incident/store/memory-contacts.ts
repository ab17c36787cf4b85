import type { Clock } from '../../../lib/clock/index.js';
import type { ContactTokenEntry, ContactTokenStore } from './contacts-port.js';

/**
 * The memory adapter's contact-token index (contacts-port.ts): hash -> car, forgotten at expiry on the
 * store's clock. Expired entries are dropped when looked up and, so that memory stays one TTL of
 * registrations, on each put.
 */
export class MemoryContactTokens implements ContactTokenStore {
  private readonly entries = new Map<string, { vin: string; expiresAt: number }>();

  constructor(private readonly clock: Clock) {}

  async putContactTokens(entries: ContactTokenEntry[], ttlMs: number): Promise<void> {
    const now = this.clock.now();
    for (const [hash, e] of this.entries) if (e.expiresAt <= now) this.entries.delete(hash);
    for (const e of entries) this.entries.set(e.tokenHash, { vin: e.vin, expiresAt: now + ttlMs });
  }

  async findContactToken(tokenHash: string): Promise<string | null> {
    const e = this.entries.get(tokenHash);
    if (!e) return null;
    if (e.expiresAt <= this.clock.now()) {
      this.entries.delete(tokenHash);
      return null;
    }
    return e.vin;
  }
}
