/**
 * Issue 12 part 5 (D4.5), the store's side of message relay: contacts live on the car's state, relays in
 * their case record (both through the one version-checked commit, with the outbox's emails), and the
 * contact-confirmation token index (store/contacts-port.ts) is a port of its own. Both adapters alike
 * (STYLE 8); the memory store expires entries on its clock, Redis with PX.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { topics, type Relay } from '../../protocol/index.js';
import { VirtualClock } from '../../lib/clock/index.js';
import type { ContactRecord } from '../../services/incident/domain/index.js';
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

interface World {
  store: Store;
  /** Lets `ms` pass for the store's expiries (the memory store's clock; real time for Redis PX). */
  expireAfter(ms: number, check: () => Promise<unknown>): Promise<void>;
}

const worlds: [string, () => Promise<World>][] = [
  [
    'MemoryStore',
    async () => {
      const clock = new VirtualClock(Date.parse('2026-11-21T10:00:00.000Z'));
      return {
        store: new MemoryStore({ clock }),
        async expireAfter(ms, check) {
          await clock.advance(ms);
          await check();
        },
      };
    },
  ],
  [
    'RedisStore',
    async () => ({
      store: await createRedisStore({ url: redis.url, keyPrefix: uniquePrefix('contacts') }),
      // PX is real time: wait for the key to go, not for a fixed time (STYLE 17).
      expireAfter: (_ms, check) => expect.poll(() => check().then(() => true, () => false), { timeout: 5_000, interval: 50 }).toBe(true).then(() => {}),
    }),
  ],
];

describe.each(worlds)('store contract, contacts and relays (D4.5): %s', (_name, makeWorld) => {
  const open: Store[] = [];
  const make = async () => {
    const w = await makeWorld();
    open.push(w.store);
    return w;
  };
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });
  const [VIN, VIN2] = VINS;
  const H1 = 'a'.repeat(64);
  const H2 = 'b'.repeat(64);

  it('D4.5 the token index: unknown is null; a put entry names its car; entries of one put are independent', async () => {
    const { store } = await make();
    expect(await store.findContactToken(H1)).toBeNull();
    await store.putContactTokens([{ tokenHash: H1, vin: VIN }, { tokenHash: H2, vin: VIN2 }], 60_000);
    expect(await store.findContactToken(H1)).toBe(VIN);
    expect(await store.findContactToken(H2)).toBe(VIN2);
    await store.putContactTokens([], 60_000); // nothing to index: nothing happens
    expect(await store.findContactToken('c'.repeat(64))).toBeNull();
  });

  it('D4.5 the token index forgets an entry after its TTL', async () => {
    const w = await make();
    await w.store.putContactTokens([{ tokenHash: H1, vin: VIN }], 200);
    expect(await w.store.findContactToken(H1)).toBe(VIN);
    await w.expireAfter(200, async () => expect(await w.store.findContactToken(H1)).toBeNull());
  });

  it('D4.5 contacts on the car state (with the token hash, never the token) and relays on the case round-trip; the email leaves through the outbox', async () => {
    const { store } = await make();
    const contacts: ContactRecord[] = [
      { name: 'Hanako', phone: '090-1234-5678', email: 'hanako@example.jp', emailStatus: 'confirmed', emailConfirmedAt: at(5), emailToken: { hash: H1, expiresAt: 1_000_000, usedAt: at(5) } },
      { name: 'Jiro', phone: '03-0000-1111' },
    ];
    expect((await store.commit(change(VIN, 0, { vehicle: { ...emptyVehicle(VIN), version: 1, contacts } }))).status).toBe('ok');
    expect((await store.loadVehicle(VIN)).vehicle).toMatchObject({ version: 1, contacts });

    const relay: Relay = {
      id: 'r1',
      caseId: 'c1',
      status: 'delivered',
      attempts: [
        { channel: 'phone', to: '090-1234-5678', result: 'not_answered', at: at(10) },
        { channel: 'email', to: 'hanako@example.jp', result: 'sent', at: at(10) },
      ],
      message: 'Tow truck on its way',
      contactName: 'Hanako',
      requestedAt: at(8),
      requestedBy: 'op-1',
      updatedAt: at(10),
    };
    const c = makeCase('c1', VIN, { trigger: 'trouble', priority: 3, relays: [relay] });
    const email = { key: 'email:relay:r1:0:2', id: '2', topic: topics.outboxEmail, payload: JSON.stringify({ v: 1, kind: 'relay_callback_request', to: 'hanako@example.jp', subject: 's', body: 'b' }), qos: 1 as const, retain: false, at: 10 };
    const result = await store.commit(change(VIN, 1, { vehicle: { ...emptyVehicle(VIN), version: 2, contacts }, cases: [c], sessions: [makeSession(c)], feed: [openedDraft(c)], outbox: [email] }));
    expect(result.status).toBe('ok');
    expect((await store.getCase('c1'))?.relays).toEqual([relay]);
    expect((await store.loadVehicle(VIN)).cases[0]?.relays).toEqual([relay]);
    expect(await store.outboxPending(Number.MAX_SAFE_INTEGER, 10)).toEqual([email]);
  });
});
