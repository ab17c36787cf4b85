/**
 * Issue 11 on Redis with several instances: a login on one instance is accepted by another (tokens live
 * in the store), a logout on one ends the token for all, a credential rotated on one reaches the
 * others' `onRevoked` (the broker disconnects the car wherever it is), and an account made by one is
 * the first admin for all (instances starting together make one).
 */
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SystemClock } from '../../lib/clock/index.js';
import { loadConfig } from '../../services/config.js';
import { IdentityService } from '../../services/identity/identity-service.js';
import { createRedisStore, type RedisStore } from '../../services/incident/store/redis-store.js';
import { testRedis, uniquePrefix, type TestRedis } from '../helpers/redis.js';
import { vin } from '../helpers/vins.js';

let redis: TestRedis;
beforeAll(async () => {
  redis = await testRedis();
});
afterAll(async () => {
  await redis?.close();
});

const stores: RedisStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});

/** Two instances' identity services sharing one Redis (one key prefix). */
async function twoInstances(): Promise<[IdentityService, IdentityService, RedisStore, RedisStore]> {
  const keyPrefix = uniquePrefix('identity');
  const config = loadConfig({}, { AUTH: 'on', ADMIN_PASSWORD: 'admin-password-for-tests', PASSWORD_SCRYPT_COST: 10 });
  const make = async () => {
    const store = await createRedisStore({ url: redis.url, keyPrefix });
    stores.push(store);
    return [new IdentityService({ store, clock: new SystemClock(), config, logger: pino({ level: 'silent' }) }), store] as const;
  };
  const [[a, storeA], [b, storeB]] = await Promise.all([make(), make()]);
  return [a, b, storeA, storeB];
}

describe('issue 11: identity across instances on Redis', () => {
  it('instances starting together make one first admin; a token from one is accepted by the other; a logout on one ends it for both', async () => {
    const [a, b, store] = await twoInstances();
    await Promise.all([a.start(), b.start()]);
    expect((await store.listAccounts()).map((x) => x.username)).toEqual(['admin']);
    expect((await store.listAudit({ limit: 10, actor: 'startup' }))!.map((e) => e.action)).toEqual(['operator.create']);
    const { token } = await a.login('admin', 'admin-password-for-tests', '127.0.0.1');
    const onB = await b.authenticate(token);
    expect(onB).toMatchObject({ kind: 'operator', username: 'admin', role: 'admin' });
    await b.logout(onB!);
    expect(await a.authenticate(token)).toBeNull();
  });

  it('a credential rotated on one instance reaches the other instance’s onRevoked; verify follows the newest password', async () => {
    const [a, b, , storeB] = await twoInstances();
    const heardOnB: string[] = [];
    b.vehicleCredentials.onRevoked((v) => heardOnB.push(v));
    await storeB.identity.listening();
    const car = vin(1501);
    const actor = { kind: 'service' as const, id: 'api-token' };
    const first = await a.issueVehicleCredentials(car, actor);
    await expect.poll(() => heardOnB, { timeout: 5_000 }).toEqual([car]);
    expect(await b.vehicleCredentials.verify(car, Buffer.from(first.password))).toBe(true);
    const second = await a.issueVehicleCredentials(car, actor);
    await expect.poll(() => heardOnB, { timeout: 5_000 }).toEqual([car, car]);
    expect(await b.vehicleCredentials.verify(car, Buffer.from(first.password))).toBe(false);
    expect(await b.vehicleCredentials.verify(car, Buffer.from(second.password))).toBe(true);
  });
});
