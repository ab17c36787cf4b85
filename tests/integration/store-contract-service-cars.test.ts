/**
 * Issue 12 part 6 (D4.6), the store's side (service-car-port.ts), for both adapters (STYLE 8): the
 * tracking-token index and service cars' newest fixes. The memory store is the reference.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../lib/clock/index.js';
import { MemoryStore } from '../../services/incident/store/memory-store.js';
import type { ServiceCarFix, Store } from '../../services/incident/store/port.js';
import { createRedisStore } from '../../services/incident/store/redis-store.js';
import { SERVICE_CAR_POLICY } from '../../services/incident/store/service-car-port.js';
import { testRedis, uniquePrefix, type TestRedis } from '../helpers/redis.js';

let redis: TestRedis;
beforeAll(async () => {
  redis = await testRedis();
});
afterAll(async () => redis?.close());

const T0 = Date.parse('2026-11-21T10:00:00.000Z');
const fix = (id: string, seconds: number, lat = 35.7): ServiceCarFix => ({ id, position: { lat, lon: 139.8, trusted: true, headingDeg: 90 }, at: new Date(T0 + seconds * 1000).toISOString() });
const TOKEN = 'A'.repeat(43);

const stores: [string, (clock: VirtualClock) => Promise<Store>][] = [
  ['MemoryStore', async (clock) => new MemoryStore({ clock })],
  ['RedisStore', async () => createRedisStore({ url: redis.url, keyPrefix: uniquePrefix('svc') })],
];

describe.each(stores)('store contract, service-car arrival (D4.6): %s', (name, makeStore) => {
  const open: Store[] = [];
  let clock: VirtualClock;
  const make = async () => {
    clock = new VirtualClock(T0);
    const s = await makeStore(clock);
    open.push(s);
    return s;
  };
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });

  it('D4.6: a tracking token is indexed to its case; an unknown token finds nothing', async () => {
    const store = await make();
    expect(await store.findTrackToken(TOKEN)).toBeNull();
    await store.putTrackToken(TOKEN, 'case-1');
    expect(await store.findTrackToken(TOKEN)).toBe('case-1');
    expect(await store.findTrackToken('B'.repeat(43))).toBeNull();
  });

  it('D4.6: the newest fix of each service car is kept, whatever order batches of several instances arrive in', async () => {
    const store = await make();
    expect(await store.loadServiceCarFix('jaf-7')).toBeNull();
    await store.saveServiceCarFixes([fix('jaf-7', 10, 35.71), fix('jaf-8', 5)]);
    await store.saveServiceCarFixes([fix('jaf-7', 4, 35.69)]); // an older batch from another instance
    expect(await store.loadServiceCarFix('jaf-7')).toEqual(fix('jaf-7', 10, 35.71));
    expect(await store.loadServiceCarFix('jaf-8')).toEqual(fix('jaf-8', 5));
    await store.saveServiceCarFixes([fix('jaf-7', 12, 35.72)]);
    expect(await store.loadServiceCarFix('jaf-7')).toEqual(fix('jaf-7', 12, 35.72));
  });

  it.runIf(name === 'MemoryStore')(`D4.6: a service car silent for ${SERVICE_CAR_POLICY.fixTtlSeconds} s is forgotten (memory store's clock)`, async () => {
    const store = await make();
    await store.saveServiceCarFixes([fix('jaf-7', 1)]);
    await clock.advance(SERVICE_CAR_POLICY.fixTtlSeconds * 1000);
    expect(await store.loadServiceCarFix('jaf-7')).toBeNull();
  });
});
