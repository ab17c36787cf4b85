/**
 * Issue 12, "The operator's work": the store contract's last known positions (positions-port.ts) and the
 * queue order inside priority 1 (severity), for every adapter (run from describeStoreContract,
 * store-contract.ts). The memory store is the reference.
 */
import { expect, it } from 'vitest';
import type { Case, KnownPosition, Severity } from '../../protocol/index.js';
import { VirtualClock } from '../../lib/clock/index.js';
import type { Store } from '../../services/incident/store/port.js';
import { POSITION_POLICY } from '../../services/incident/store/positions-port.js';
import type { StoreOptions } from './store-contract.js';

const T0 = Date.parse('2026-11-21T10:00:00.000Z');
const [VIN, VIN2] = ['JHMZE2H59ES000001', 'JHMZE2H59ES000002'];

function fix(seconds: number, north = seconds * 25, trusted = true): KnownPosition {
  return { lat: 35.44 + north / 111_195, lon: 139.39, at: new Date(T0 + seconds * 1000).toISOString(), trusted, headingDeg: 0 };
}

function severity(probability: number): Severity {
  return { probability, band: 'high', recommend: [], model: 'test@1', inputs: { deltaVKmh: 48, direction: null, multipleImpacts: false, rollover: false, seats: [], assumed: [] } };
}

type OpenCase = (store: Store, id: string, vin: string, over?: Partial<Case>) => Promise<unknown>;

/** `make` opens a store that the caller closes; `openCase` commits one open case (store-contract.ts). */
export function positionsContract(make: (options?: StoreOptions) => Promise<Store>, openCase: OpenCase): void {
  it('issue 12: an unknown car has no positions; saved ones load back, the track oldest first', async () => {
    const store = await make();
    expect(await store.loadPositions(VIN)).toBeNull();
    await store.savePositions([{ vin: VIN, last: fix(2), track: [fix(0), fix(2)] }]);
    expect(await store.loadPositions(VIN)).toEqual({ last: fix(2), track: [fix(0), fix(2)] });
    expect(await store.loadPositions(VIN2)).toBeNull();
  });

  it('issue 12: batches of several instances add up in any order: the newer fix wins, track points merge, one per time', async () => {
    const store = await make();
    // instance B saved a newer fix first; instance A's older batch comes after it
    await store.savePositions([{ vin: VIN, last: fix(5), track: [fix(4)] }, { vin: VIN2, last: fix(1, 0, false), track: [] }]);
    await store.savePositions([{ vin: VIN, last: fix(3), track: [fix(1), fix(3)] }]);
    expect(await store.loadPositions(VIN)).toEqual({ last: fix(5), track: [fix(1), fix(3), fix(4)] });
    expect(await store.loadPositions(VIN2)).toEqual({ last: fix(1, 0, false), track: [] });
    // the same point saved again (a batch retried) is kept once
    await store.savePositions([{ vin: VIN, last: fix(5), track: [fix(4)] }]);
    expect((await store.loadPositions(VIN))!.track).toHaveLength(3);
  });

  it(`issue 12: only the newest ${POSITION_POLICY.trackKept} track points of a car are kept`, async () => {
    const store = await make();
    const points = Array.from({ length: 12 }, (_, i) => fix(i));
    await store.savePositions([{ vin: VIN, last: points.at(-1)!, track: points.slice(0, 6) }]);
    await store.savePositions([{ vin: VIN, last: points.at(-1)!, track: points.slice(6) }]);
    expect(await store.loadPositions(VIN)).toEqual({ last: points.at(-1), track: points.slice(-POSITION_POLICY.trackKept) });
  });

  it('issue 12: a batch of thousands of cars is saved whole', async () => {
    const store = await make();
    const vins = Array.from({ length: 1200 }, (_, i) => `JHMZE2H59ES${String(100_000 + i)}`);
    await store.savePositions(vins.map((vin, i) => ({ vin, last: fix(i % 60), track: [fix(i % 60)] })));
    expect(await store.loadPositions(vins[1199]!)).toEqual({ last: fix(1199 % 60), track: [fix(1199 % 60)] });
    expect(await store.loadPositions(vins[0]!)).toEqual({ last: fix(0), track: [fix(0)] });
  });

  it('issue 12: positions are forgotten after the TTL (memory: on its clock; Redis: key expiry)', async () => {
    const clock = new VirtualClock(T0);
    const store = await make({ clock });
    await store.savePositions([{ vin: VIN, last: fix(0), track: [] }]);
    if (store.kind === 'memory') {
      await clock.advanceTo(T0 + POSITION_POLICY.ttlSeconds * 1000);
      expect(await store.loadPositions(VIN)).toBeNull();
    } else {
      const redis = (store as unknown as { redis: { pttl(key: string): Promise<number> }; keys: { prefix: string } });
      const ttl = await redis.redis.pttl(`${redis.keys.prefix}pos:${VIN}`);
      expect(ttl).toBeGreaterThan(POSITION_POLICY.ttlSeconds * 1000 - 60_000);
      expect(ttl).toBeLessThanOrEqual(POSITION_POLICY.ttlSeconds * 1000);
    }
  });

  it('issue 12, D4.3: inside priority 1 the open queue puts the higher severity first, then age; a case without one counts as the most severe', async () => {
    const store = await make();
    await openCase(store, 'c-low-old', VIN, { priority: 1, trigger: 'impact', openedAt: at(0), severity: severity(0.05) });
    await openCase(store, 'c-high-new', VIN2, { priority: 1, trigger: 'airbag', openedAt: at(9_000), severity: severity(0.9) });
    await openCase(store, 'c-sos', 'JHMZE2H59ES000003', { priority: 2, openedAt: at(1_000) });
    await openCase(store, 'c-legacy', 'JHMZE2H59ES000004', { priority: 1, trigger: 'airbag', openedAt: at(20_000) });
    const expected = ['c-legacy', 'c-high-new', 'c-low-old', 'c-sos'];
    expect((await store.listCases('open')).map((c) => c.id)).toEqual(expected);
    expect((await store.feedSnapshot()).cases.map((c) => c.id)).toEqual(expected);
  });
}

function at(offsetMs: number): string {
  return new Date(T0 + offsetMs).toISOString();
}
