import { isoTime, type AuditActor, type AuditEntry, type ServiceCarCredentialsIssued } from '../../protocol/index.js';
import { serviceCarIdentity } from '../broker/acl.js';
import { newSecret, saltedHash } from '../identity/secrets.js';
import type { Store } from './store/port.js';

/**
 * Issue 12 part 6 (D4.6), `PUT /v1/service-cars/{id}/credentials`: a service car's MQTT password, like a
 * vehicle's (services/identity/vehicle-credentials.ts): 256 random bits shown once, kept as a salted
 * hash under its username `svc-<id>` in the vehicle-credential records (a VIN never holds `-`), with its
 * audit entry `service_car.credentials` in the same store step. Issuing again rotates it, and the broker
 * ends the old session (it hears every credential issued, broker-auth.ts `revoke`).
 */
export async function issueServiceCarCredential(
  store: Pick<Store, 'getVehicleCredential' | 'putVehicleCredential'>,
  id: string,
  actor: AuditActor,
  stamp: { id: string; now: number },
): Promise<ServiceCarCredentialsIssued> {
  const username = serviceCarIdentity(id).key;
  const before = await store.getVehicleCredential(username);
  const password = newSecret();
  const at = isoTime(stamp.now);
  const audit: AuditEntry = { id: stamp.id, at, actor, action: 'service_car.credentials', details: { serviceCarId: id, rotated: before !== null } };
  await store.putVehicleCredential({ vin: username, ...saltedHash(password), issuedAt: at }, audit);
  return { id, username, password };
}
