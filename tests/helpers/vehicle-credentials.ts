import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { VehicleCredentials } from '../../services/broker/vehicle-auth.js';

/**
 * A small in-memory `VehicleCredentials` for the broker's tests (the identity service's is backed by
 * the store): a random password per VIN kept as a salted SHA-256, `rotate` tells the broker, and the
 * calls to `verify` are counted (to see the broker's cache at work).
 */
export class MemoryVehicleCredentials implements VehicleCredentials {
  verifyCalls = 0;
  /** Set to make `verify` fail as a store outage would. */
  failing = false;
  private readonly records = new Map<string, { salt: Buffer; hash: Buffer }>();
  private readonly listeners = new Set<(vin: string) => void>();

  /** Issues (or rotates) the password of `vin` and returns it; a rotation disconnects the old session. */
  issue(vin: string, password = randomBytes(24).toString('base64url')): string {
    const had = this.records.has(vin);
    const salt = randomBytes(16);
    this.records.set(vin, { salt, hash: hash(salt, Buffer.from(password)) });
    if (had) for (const l of this.listeners) l(vin);
    return password;
  }

  remove(vin: string): void {
    this.records.delete(vin);
    for (const l of this.listeners) l(vin);
  }

  async verify(vin: string, password: Buffer): Promise<boolean> {
    this.verifyCalls++;
    await Promise.resolve();
    if (this.failing) throw new Error('credential store unavailable');
    const record = this.records.get(vin);
    if (!record) return false;
    return timingSafeEqual(record.hash, hash(record.salt, password));
  }

  onRevoked(listener: (vin: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

function hash(salt: Buffer, password: Buffer): Buffer {
  return createHash('sha256').update(salt).update(password).digest();
}
