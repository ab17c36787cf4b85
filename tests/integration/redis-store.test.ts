/** What only the Redis adapter can show: several instances on one Redis, restarts, TTLs, leases. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FeedMessage } from '../../protocol/index.js';
import { createRedisStore, type RedisStore, type RedisStoreOptions } from '../../services/incident/store/redis-store.js';
import { testRedis, uniquePrefix, type TestRedis } from '../helpers/redis.js';
import { change, makeCase, makeSession, openCase, openedDraft, VINS, waitFor } from '../helpers/store-contract.js';

let redis: TestRedis;
const stores: RedisStore[] = [];
beforeAll(async () => {
  redis = await testRedis();
});
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  await redis?.close();
});

async function instance(keyPrefix: string, options: Partial<RedisStoreOptions> = {}): Promise<RedisStore> {
  const store = await createRedisStore({ url: redis.url, keyPrefix, ...options });
  stores.push(store);
  return store;
}

const vin = (i: number) => `JHMZE2H59ES${String(i).padStart(6, '0')}`;

/** The stores' blocking feed connections on this Redis (ioredis names them `anshin-feed`), from CLIENT LIST. */
async function feedConnections(store: RedisStore): Promise<{ id: number; blocked: boolean }[]> {
  const list = (await store.redis.client('LIST')) as string;
  return list
    .split('\n')
    .map((line) => Object.fromEntries(line.split(' ').map((kv) => kv.split('=') as [string, string])))
    .filter((c) => c.name === 'anshin-feed')
    .map((c) => ({ id: Number(c.id), blocked: (c.flags ?? '').includes('b') && c.cmd === 'xread' }));
}

/** The feed connection `store` opened: the newest one (client ids only grow). */
async function newestFeedConnection(store: RedisStore): Promise<number> {
  return Math.max(...(await feedConnections(store)).map((c) => c.id));
}

describe('RedisStore across instances', () => {
  it('claim: of two instances racing for the same work, one gets it; it is free again after the lease', async () => {
    const prefix = uniquePrefix('claim');
    const [a, b] = [await instance(prefix), await instance(prefix)];
    const won = await Promise.all([a.claim('lockout-expiry:X:1', 300), b.claim('lockout-expiry:X:1', 300)]);
    expect(won.filter(Boolean)).toHaveLength(1);
    expect(await a.claim('lockout-expiry:X:2', 300)).toBe(true); // other work is claimed on its own
    // once the lease has run out the other instance gets it (a refused claim changes nothing)
    await expect.poll(() => b.claim('lockout-expiry:X:1', 300), { timeout: 5_000 }).toBe(true);
  });

  it('two instances committing the same (vin, eventId) at once open exactly one case', async () => {
    const prefix = uniquePrefix('dedupe');
    const [a, b] = [await instance(prefix), await instance(prefix)];
    for (let round = 0; round < 20; round++) {
      const v = vin(round);
      // Both read version 0, both decide to open a case for the same event, both commit.
      const attempt = async (store: RedisStore, id: string) => {
        const { vehicle } = await store.loadVehicle(v);
        const c = makeCase(id, v, { eventId: `ev-${round}` });
        return store.commit(change(v, vehicle.version, { eventId: `ev-${round}`, cases: [c], sessions: [makeSession(c)], feed: [openedDraft(c)] }));
      };
      const results = await Promise.all([attempt(a, `a${round}`), attempt(b, `b${round}`)]);
      expect(results.filter((r) => r.status === 'ok')).toHaveLength(1);
      expect(results.filter((r) => r.status === 'duplicate')).toHaveLength(1);
    }
    expect(await a.listCases('open')).toHaveLength(20);
    expect((await b.feedSnapshot()).seq).toBe(20);
  });

  it('50 concurrent commits from two instances get seqs 1..50 and both instances hear them in that order', async () => {
    const prefix = uniquePrefix('seq');
    const [a, b] = [await instance(prefix), await instance(prefix)];
    const heardA: FeedMessage[] = [];
    const heardB: FeedMessage[] = [];
    a.onFeed((m) => heardA.push(m));
    b.onFeed((m) => heardB.push(m));
    const started = performance.now();
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => openCase(i % 2 ? a : b, `c${i}`, vin(i))));
    const commitMs = performance.now() - started;
    const seqs = results.flat().map((m) => m.seq).sort((x, y) => x - y);
    expect(seqs).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    await waitFor(() => heardA.length >= 50 && heardB.length >= 50, 5_000, 'both instances to hear 50 messages');
    expect(heardA.map((m) => m.seq)).toEqual(seqs);
    expect(heardB).toEqual(heardA);
    // What each instance returned from commit is what everybody hears under that seq.
    for (const m of results.flat()) expect(heardA[m.seq - 1]).toEqual(m);
    expect(commitMs).toBeLessThan(5_000);
  });

  it('data survives closing the store and creating it again', async () => {
    const prefix = uniquePrefix('restart');
    const first = await instance(prefix);
    await openCase(first, 'c1', VINS[0]);
    const sent = await openCase(first, 'c2', VINS[1]);
    await first.commit(change(VINS[0], 1, { eventId: 'e-1' }));
    await first.close();

    const second = await instance(prefix);
    expect((await second.listCases('open')).map((c) => c.id)).toEqual(['c1', 'c2']);
    expect((await second.loadVehicle(VINS[0])).vehicle.version).toBe(2);
    expect(await second.feedSince(1)).toEqual(sent);
    expect(await second.commit(change(VINS[0], 2, { eventId: 'e-1' }))).toEqual({ status: 'duplicate' });
    // The sequence carries on where it was.
    expect((await openCase(second, 'c3', VINS[2]))[0]!.seq).toBe(3);
  });

  it('remembers (vin, eventId) for dedupeTtlSeconds, then lets Redis expire it', async () => {
    const store = await instance(uniquePrefix('ttl'), { dedupeTtlSeconds: 120 });
    await store.commit(change(VINS[0], 0, { eventId: 'e-ttl' }));
    const ttl = await store.redis.ttl(store.keys.seen(VINS[0], 'e-ttl'));
    expect(ttl).toBeGreaterThan(110);
    expect(ttl).toBeLessThanOrEqual(120);
  });

  it('keeps the feed on a stream, trimmed to about feedHistory, one entry per seq', async () => {
    const store = await instance(uniquePrefix('stream'), { feedHistory: 10 });
    for (let i = 0; i < 250; i++) await store.commit(change(VINS[0], i, { feed: [{ type: 'lockout.updated', at: '2026-11-21T10:00:00.000Z', lockout: { vin: VINS[0], active: false, features: [], until: null } }] }));
    const length = await store.redis.xlen(store.keys.feed);
    expect(length).toBeGreaterThanOrEqual(10);
    expect(length).toBeLessThan(250);
    const [[id, fields]] = (await store.redis.xrevrange(store.keys.feed, '+', '-', 'COUNT', 1)) as [[string, string[]]];
    expect(id).toBe('250-0');
    expect(fields.slice(0, 2)).toEqual(['seq', '250']);
    // Approximate trimming keeps more than feedHistory; replay still honours exactly feedHistory,
    // like the memory store, so behaviour does not depend on Redis's trimming granularity.
    expect(await store.feedSince(240)).toHaveLength(10);
    expect(await store.feedSince(239)).toBeNull();
  });

  it('close() stops the blocking feed reader at once', async () => {
    const store = await createRedisStore({ url: redis.url, keyPrefix: uniquePrefix('close'), feedBlockMs: 5_000 });
    const reader = await newestFeedConnection(store);
    store.onFeed(() => {});
    // the reader is now inside XREAD BLOCK 5000
    await expect.poll(async () => (await feedConnections(store)).find((c) => c.id === reader)?.blocked, { timeout: 5_000 }).toBe(true);
    const started = performance.now();
    await store.close();
    expect(performance.now() - started).toBeLessThan(1_000);
    await expect(store.ping()).rejects.toThrow();
    await store.close(); // idempotent
  });
});

describe('RedisStore failure modes', () => {
  it('createRedisStore rejects at once, naming the URL, when Redis does not answer', async () => {
    const started = performance.now();
    await expect(createRedisStore({ url: 'redis://127.0.0.1:1' })).rejects.toThrow(/redis:\/\/127\.0\.0\.1:1 did not answer: .*ECONNREFUSED/);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('a commit that cannot be applied fails before writing anything (Redis scripts do not roll back)', async () => {
    const store = await instance(uniquePrefix('guard'));
    await openCase(store, 'c1', VINS[0]);
    // Corrupt the feed: the stream is ahead of the seq counter, so XADD would fail half-way.
    await store.redis.xadd(store.keys.feed, '99-0', 'seq', '99', 'msg', '{}');
    const c2 = makeCase('c2', VINS[1]);
    await expect(store.commit(change(VINS[1], 0, { eventId: 'e2', cases: [c2], feed: [openedDraft(c2)] }))).rejects.toThrow(/ahead of feed:seq/);
    expect(await store.getCase('c2')).toBeNull();
    expect((await store.readEvent(VINS[1], 'e2')).seen).toBe(false);
    expect((await store.loadVehicle(VINS[1])).vehicle.version).toBe(0);
    expect((await store.feedSnapshot()).seq).toBe(1);
    // A case with an unreadable time is refused before it reaches Redis.
    const bad = makeCase('c3', VINS[2], { openedAt: 'yesterday' });
    await expect(store.commit(change(VINS[2], 0, { cases: [bad] }))).rejects.toThrow(/openedAt/);
  });
});

describe('RedisLease', () => {
  it('is held by one owner at a time; only the holder renews or releases it', async () => {
    const store = await instance(uniquePrefix('lease'));
    const a = store.lease('lockout-expiry', 5_000, 'instance-a');
    const b = store.lease('lockout-expiry', 5_000, 'instance-b');
    expect(await a.acquire()).toBe(true);
    expect(await b.acquire()).toBe(false);
    expect(await a.acquire()).toBe(true); // re-acquire by the holder renews
    expect(await b.renew()).toBe(false);
    expect(await b.release()).toBe(false);
    expect(await a.holder()).toBe('instance-a');
    expect(await a.release()).toBe(true);
    expect(await b.acquire()).toBe(true);
    expect(await a.renew()).toBe(false);
  });

  it('expires when its holder stops renewing', async () => {
    const store = await instance(uniquePrefix('lease-ttl'));
    const a = store.lease('expiry', 150, 'a');
    const b = store.lease('expiry', 150, 'b');
    expect(await a.acquire()).toBe(true);
    expect(await b.acquire()).toBe(false);
    // a's lease runs out after 150 ms unrenewed; b's attempts before that change nothing
    await expect.poll(() => b.acquire(), { timeout: 5_000 }).toBe(true);
    expect(await a.renew()).toBe(false);
  });
});
