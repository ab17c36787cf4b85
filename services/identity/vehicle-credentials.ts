import { isVin, isoTime, type AuditActor, type AuditEntry } from '../../protocol/index.js';
import { serviceCarOfUsername } from '../broker/acl.js';
import type { VehicleCredentials } from '../broker/vehicle-auth.js';
import type { Store } from '../incident/store/port.js';
import { matchesSaltedHash, newSecret, saltedHash } from './secrets.js';

export type { VehicleCredentials } from '../broker/vehicle-auth.js';

/**
 * The broker's view of vehicle credentials (services/broker/vehicle-auth.ts), backed by the store: a
 * car's MQTT password is checked against the salted SHA-256 kept by `PUT /v1/vehicles/{vin}/credentials`,
 * and `onRevoked` hears every credential issued or rotated by any instance sharing the store (memory:
 * at once; Redis: a pub/sub channel), so that the broker disconnects the old session wherever it is.
 */
export class StoreVehicleCredentials implements VehicleCredentials {
  constructor(private readonly store: Pick<Store, 'getVehicleCredential' | 'onVehicleCredential'>) {}

  async verify(vin: string, password: Buffer): Promise<boolean> {
    // Wildcards, empty or odd usernames never reach the store (the broker refuses them too).
    // D4.6: service cars' credentials are kept the same way under their username `svc-<id>` (broker/acl.ts).
    if (!(isVin(vin) || serviceCarOfUsername(vin) !== null) || password.length === 0 || password.length > 256) return false;
    const kept = await this.store.getVehicleCredential(vin);
    return kept !== null && matchesSaltedHash(password, kept);
  }

  onRevoked(listener: (vin: string) => void): () => void {
    return this.store.onVehicleCredential(listener);
  }
}

/**
 * Issues (or rotates) a car's password: 256 random bits, shown once, kept as a salted hash in the same
 * store step as its audit entry. `rotated` in the entry's details says whether one was replaced (read
 * just before: two concurrent requests may both say false).
 */
export async function issueVehicleCredential(
  store: Pick<Store, 'getVehicleCredential' | 'putVehicleCredential'>,
  vin: string,
  actor: AuditActor,
  stamp: { id: string; now: number },
): Promise<{ password: string; rotated: boolean }> {
  const before = await store.getVehicleCredential(vin);
  const password = newSecret();
  const at = isoTime(stamp.now);
  const audit: AuditEntry = { id: stamp.id, at, actor, action: 'vehicle.credentials', vin, details: { rotated: before !== null } };
  const { rotated } = await store.putVehicleCredential({ vin, ...saltedHash(password), issuedAt: at }, audit);
  return { password, rotated };
}
