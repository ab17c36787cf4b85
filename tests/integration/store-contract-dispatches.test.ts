/**
 * Issue 12 parts 4 and 7, the store's side: a dispatch lives inside its case record, the registered dealer
 * on the car's state, and `case.escalated` is one more feed draft; both adapters must keep them alike
 * (STYLE 8). No new port: the same `commit`, `loadVehicle`, `getCase`, `feedSince`, `claim`.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Dispatch, FeedDraft } from '../../protocol/index.js';
import { emptyVehicle } from '../../services/incident/domain/state.js';
import { MemoryStore } from '../../services/incident/store/memory-store.js';
import type { Store } from '../../services/incident/store/port.js';
import { createRedisStore } from '../../services/incident/store/redis-store.js';
import { testRedis, uniquePrefix, type TestRedis } from '../helpers/redis.js';
import { VINS, at, change, makeCase, makeSession, openedDraft } from '../helpers/store-contract.js';

let redis: TestRedis;
beforeAll(async () => {
  redis = await testRedis();
});
afterAll(async () => redis?.close());

const stores: [string, () => Promise<Store>][] = [
  ['MemoryStore', async () => new MemoryStore()],
  ['RedisStore', async () => createRedisStore({ url: redis.url, keyPrefix: uniquePrefix('dispatches') })],
];

describe.each(stores)('store contract, dispatches and escalation: %s', (_name, makeStore) => {
  const open: Store[] = [];
  const make = async () => {
    const s = await makeStore();
    open.push(s);
    return s;
  };
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });
  const VIN = VINS[0];

  const dispatch: Dispatch = {
    id: 'd1',
    caseId: 'c1',
    agency: 'road_service',
    status: 'en_route',
    requestedAt: at(1_000),
    requestedBy: 'op-1',
    position: { lat: 35.6812, lon: 139.7671, at: at(0), trusted: true },
    destination: { kind: 'nearest_dealer', name: 'Sample Motors Tokyo Chiyoda (sample)', position: { lat: 35.6812, lon: 139.7671 }, dealerId: 'sample-tokyo-chiyoda', distanceKm: 0 },
    serviceCar: { id: 'jaf-7', reportsPosition: true },
    etaMinutes: 25,
    updatedAt: at(2_000),
    history: [
      { status: 'requested', at: at(1_000), by: 'op-1' },
      { status: 'en_route', at: at(2_000), by: 'op-1', etaMinutes: 25 },
    ],
  };

  it('a case with its dispatches and escalatedAt, and a car with its dealer, round-trip through commit and load; the feed keeps case.escalated', async () => {
    const store = await make();
    const c = makeCase('c1', VIN);
    const opened = await store.commit(change(VIN, 0, { cases: [c], sessions: [makeSession(c)], feed: [openedDraft(c)] }));
    expect(opened.status).toBe('ok');
    const escalated = { ...c, escalatedAt: at(15_000), dispatches: [dispatch] };
    const extension = { type: 'case.escalated', at: at(15_000), caseId: c.id, vin: VIN, priority: 2, targetSeconds: 15, ringingSeconds: 15, case: escalated } as unknown as FeedDraft;
    const vehicle = { ...emptyVehicle(VIN), version: 2, dealerId: 'sample-naha' };
    const result = await store.commit({ ...change(VIN, 1, { cases: [escalated], feed: [{ type: 'case.updated', at: at(15_000), case: escalated }, extension] }), vehicle });
    expect(result.status).toBe('ok');
    if (result.status !== 'ok') return;
    expect(result.feed.map((m) => m.type)).toEqual(['case.updated', 'case.escalated']);

    const loaded = await store.loadVehicle(VIN);
    expect(loaded.vehicle).toEqual(vehicle);
    expect(loaded.cases).toEqual([escalated]);
    expect(await store.getCase('c1')).toEqual(escalated);
    expect(await store.listCases('open')).toEqual([escalated]);
    const since = await store.feedSince(result.feed[0]!.seq - 1);
    expect(since).toEqual(result.feed);
    expect(since?.[1]).toMatchObject({ type: 'case.escalated', caseId: 'c1', case: { dispatches: [dispatch] } });
  });

});

describe('RedisStore: the escalation claim across instances', () => {
  it('two instances on one Redis: the first claims the escalation of a case, the other stands by until the lease runs out', async () => {
    const keyPrefix = uniquePrefix('escalation-claim');
    const [a, b] = await Promise.all([createRedisStore({ url: redis.url, keyPrefix }), createRedisStore({ url: redis.url, keyPrefix })]);
    try {
      expect(await a.claim('escalation:c1:1', 30_000)).toBe(true);
      expect(await b.claim('escalation:c1:1', 30_000)).toBe(false);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
