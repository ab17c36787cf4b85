import { hash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Vehicle passwords the broker has verified recently, so a car that reconnects (a tunnel, a broker
 * restart: thousands at once) does not cost a credential lookup each time. Kept per VIN: SHA-256 of a
 * random key of this process and the password (no password, nor a plain hash of one, is held; only
 * equality is ever asked of it, so a one-shot keyed hash serves, at half an HMAC's cost), with a
 * TTL; `revoke(vin)` forgets it at once (credentials rotated or removed). Bounded: the oldest entry
 * goes first when full. Misses are not remembered: a wrong password always reaches the store.
 */
export class CredentialCache {
  private readonly key = randomBytes(32);
  private readonly entries = new Map<string, { digest: Buffer; expires: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** True when this very password of `vin` was verified within the TTL. */
  has(vin: string, password: Buffer): boolean {
    const entry = this.entries.get(vin);
    if (!entry) return false;
    if (entry.expires <= this.now()) {
      this.entries.delete(vin);
      return false;
    }
    return timingSafeEqual(entry.digest, this.digest(password));
  }

  remember(vin: string, password: Buffer): void {
    this.entries.delete(vin); // re-inserted last: Map order is age order
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(vin, { digest: this.digest(password), expires: this.now() + this.ttlMs });
  }

  revoke(vin: string): void {
    this.entries.delete(vin);
  }

  private digest(password: Buffer): Buffer {
    return hash('sha256', Buffer.concat([this.key, password]), 'buffer');
  }
}
