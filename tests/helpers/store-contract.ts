/**
 * One test suite for every adapter of the store port (STYLE 8). The memory store is the reference:
 * whatever it does, the Redis store must do too. Run it with `describeStoreContract(name, makeStore)`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Case, FeedDraft, FeedMessage, VoiceSession } from '../../protocol/index.js';
import { VirtualClock, type Clock } from '../../lib/clock/index.js';
import { emptyVehicle, type CommandRecord, type VehicleState } from '../../services/incident/domain/state.js';
import type { Commit, Store } from '../../services/incident/store/port.js';
import { identityContract } from './store-contract-identity.js';
import { positionsContract } from './store-contract-positions.js';

export interface StoreOptions {
  feedHistory?: number;
  commandsPerVehicle?: number;
  /** How long an eventId is remembered (services/incident/store/policy.ts). */
  dedupeTtlSeconds?: number;
  /** The memory store expires dedupe entries on this clock; Redis on its own (key TTLs). */
  clock?: Clock;
}

export type MakeStore = (options?: StoreOptions) => Promise<Store>;

export const VINS = ['JHMZE2H59ES000001', 'JHMZE2H59ES000002', 'JHMZE2H59ES000003', 'JHMZE2H59ES000004'] as const;
const T0 = Date.parse('2026-11-21T10:00:00.000Z');

/** Whether the store remembers the event as processed (the dedupe stage's read). */
async function seen(store: Store, vin: string, eventId: string): Promise<boolean> {
  return (await store.readEvent(vin, eventId)).seen;
}

export function at(offsetMs: number): string {
  return new Date(T0 + offsetMs).toISOString();
}

export function makeCase(id: string, vin: string, over: Partial<Case> = {}): Case {
  return {
    id,
    vin,
    trigger: 'sos',
    priority: 2,
    status: 'open',
    openedAt: at(0),
    eventId: `ev-${id}`,
    position: { lat: 35.6812, lon: 139.7671, headingDeg: 90, trusted: true },
    occupants: 2,
    test: false,
    sessionId: `s-${id}`,
    lockout: { vin, active: true, features: ['remote_operations', 'wifi'], until: null },
    data: { deployed: [], nested: { list: [1.25, 2], empty: {} } },
    ...over,
  };
}

export function makeSession(c: Case, over: Partial<VoiceSession> = {}): VoiceSession {
  return {
    id: c.sessionId,
    caseId: c.id,
    vin: c.vin,
    state: 'ringing',
    hangupPolicy: 'either',
    audioMuted: true,
    openedAt: c.openedAt,
    callbacks: [],
    ...over,
  };
}

export function openedDraft(c: Case): FeedDraft {
  return { type: 'case.opened', at: c.openedAt, case: c };
}

/** A commit with everything empty but what `over` sets. */
export function change(vin: string, expectedVersion: number, over: Partial<Commit> = {}): Commit {
  const vehicle: VehicleState = { ...emptyVehicle(vin), version: expectedVersion + 1 };
  return { vin, expectedVersion, vehicle, cases: [], sessions: [], alerts: [], impacts: [], commands: [], feed: [], ...over };
}

/** Opens one case on `vin` at its current version, with its session and a `case.opened` draft. */
export async function openCase(store: Store, id: string, vin: string, over: Partial<Case> = {}): Promise<FeedMessage[]> {
  const { vehicle } = await store.loadVehicle(vin);
  const c = makeCase(id, vin, over);
  const result = await store.commit(change(vin, vehicle.version, { cases: [c], sessions: [makeSession(c)], feed: [openedDraft(c)] }));
  if (result.status !== 'ok') throw new Error(`openCase ${id}: ${result.status}`);
  return result.feed;
}

export function command(vin: string, commandId: string): CommandRecord {
  return { commandId, vin, cmd: 'notice', sentAt: at(0), body: { cmd: 'notice', code: 'hangup_rejected' } };
}

export async function waitFor(check: () => boolean, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function describeStoreContract(name: string, makeStore: MakeStore): void {
  describe(`Store contract: ${name}`, () => {
    const open: Store[] = [];
    const make = async (options?: StoreOptions) => {
      const store = await makeStore(options);
      open.push(store);
      return store;
    };
    afterEach(async () => {
      await Promise.all(open.splice(0).map((s) => s.close()));
    });
    const [VIN, VIN2, VIN3] = VINS;

    it('an unknown car loads as an empty vehicle at version 0', async () => {
      const store = await make();
      expect(await store.loadVehicle(VIN)).toEqual({ vehicle: emptyVehicle(VIN), cases: [], sessions: [] });
      expect(await store.getCase('nope')).toBeNull();
      expect(await store.getSession('nope')).toBeNull();
      expect(await store.listCases('open')).toEqual([]);
      expect(await store.listCases('closed')).toEqual([]);
      const snap = await store.feedSnapshot();
      expect({ seq: snap.seq, cases: snap.cases }).toEqual({ seq: 0, cases: [] });
      // The feed history has a name, stable while the store keeps its history.
      expect(snap.epoch).toBeTruthy();
      expect(await store.feedEpoch()).toBe(snap.epoch);
    });

    it('commit then load round-trips the car, its open cases and their sessions', async () => {
      const store = await make();
      const c = makeCase('c1', VIN);
      const s = makeSession(c);
      const vehicle: VehicleState = {
        ...emptyVehicle(VIN),
        lockout: { features: ['remote_operations'], holdingSessionIds: [s.id], until: null },
        powerMode: 'on',
        online: true,
      };
      const result = await store.commit(change(VIN, 0, { vehicle, cases: [c], sessions: [s], feed: [openedDraft(c)] }));
      expect(result).toEqual({ status: 'ok', feed: [{ ...openedDraft(c), seq: 1 }] });
      const loaded = await store.loadVehicle(VIN);
      expect(loaded).toEqual({ vehicle: { ...vehicle, version: 1 }, cases: [c], sessions: [s] });
      expect(await store.getCase('c1')).toEqual(c);
      expect(await store.getSession(s.id)).toEqual(s);
      // Copies, not the stored records.
      loaded.cases[0]!.status = 'closed';
      expect((await store.getCase('c1'))!.status).toBe('open');
    });

    it('a commit against a moved version is a conflict and writes nothing', async () => {
      const store = await make();
      await openCase(store, 'c1', VIN);
      const c2 = makeCase('c2', VIN);
      expect(await store.commit(change(VIN, 0, { cases: [c2], feed: [openedDraft(c2)] }))).toEqual({ status: 'conflict' });
      expect(await store.commit(change(VIN, 7, { cases: [c2] }))).toEqual({ status: 'conflict' });
      expect(await store.getCase('c2')).toBeNull();
      expect((await store.feedSnapshot()).seq).toBe(1);
      expect((await store.loadVehicle(VIN)).vehicle.version).toBe(1);
      expect((await store.commit(change(VIN, 1, { cases: [c2] }))).status).toBe('ok');
    });

    it('the same (vin, eventId) is processed once; the same eventId on another car is not a duplicate', async () => {
      const store = await make();
      expect((await store.commit(change(VIN, 0, { eventId: 'e1' }))).status).toBe('ok');
      expect(await seen(store, VIN, 'e1')).toBe(true);
      expect(await seen(store, VIN, 'e2')).toBe(false);
      expect(await store.commit(change(VIN, 1, { eventId: 'e1' }))).toEqual({ status: 'duplicate' });
      // Duplicate wins over conflict: a redelivery read before the first commit is still a duplicate.
      expect(await store.commit(change(VIN, 0, { eventId: 'e1' }))).toEqual({ status: 'duplicate' });
      expect((await store.commit(change(VIN2, 0, { eventId: 'e1' }))).status).toBe('ok');
      // A rejected commit does not mark its event as seen.
      expect(await store.commit(change(VIN, 0, { eventId: 'e3' }))).toEqual({ status: 'conflict' });
      expect(await seen(store, VIN, 'e3')).toBe(false);
    });

    it('issue 15: readEvent answers whether the event was processed, as loadVehicle and (on a shared store) loadPositions would, read together', async () => {
      const store = await make();
      expect(await store.readEvent(VIN, 'e1')).toEqual({ seen: false, aggregate: await store.loadVehicle(VIN), positions: null });
      await openCase(store, 'c1', VIN);
      expect((await store.commit(change(VIN, 1, { eventId: 'e1' }))).status).toBe('ok');
      const fix = { lat: 35.44, lon: 139.39, at: at(5_000), trusted: true, headingDeg: 0 };
      await store.savePositions([{ vin: VIN, last: fix, track: [fix] }]);
      expect(await store.readEvent(VIN, 'e1')).toEqual({ seen: true });
      const read = await store.readEvent(VIN, 'e2');
      expect(read).toEqual({ seen: false, aggregate: await store.loadVehicle(VIN), positions: store.positionsShared ? { last: fix, track: [fix] } : null });
      expect(read.seen === false && read.aggregate.cases.map((c) => c.id)).toEqual(['c1']);
      // Another car's event of the same id is new, and that car has nothing yet.
      expect(await store.readEvent(VIN2, 'e1')).toEqual({ seen: false, aggregate: await store.loadVehicle(VIN2), positions: null });
    });

    it('processed once (contract): an eventId is remembered for the dedupe TTL and forgotten after it, then processed as new', async () => {
      // The memory store counts the TTL on its injected clock, Redis on its own (a key with EX): the
      // checks inside the TTL run within milliseconds of the commit, the one past it polls.
      const clock = new VirtualClock(T0);
      const store = await make({ dedupeTtlSeconds: 2, clock });
      expect((await store.commit(change(VIN, 0, { eventId: 'e1' }))).status).toBe('ok');
      await clock.advance(1_000);
      expect(await seen(store, VIN, 'e1')).toBe(true);
      expect(await store.commit(change(VIN, 1, { eventId: 'e1' }))).toEqual({ status: 'duplicate' });
      await clock.advance(1_001);
      await expect.poll(() => seen(store, VIN, 'e1'), { timeout: 10_000, interval: 50 }).toBe(false);
      expect((await store.commit(change(VIN, 1, { eventId: 'e1' }))).status).toBe('ok');
      expect(await seen(store, VIN, 'e1')).toBe(true);
      expect(await store.commit(change(VIN, 2, { eventId: 'e1' }))).toEqual({ status: 'duplicate' });
    });

    it('closed cases with the same closedAt list the newer id first, on both adapters', async () => {
      const store = await make();
      for (const id of ['c1', 'c2', 'c3']) await openCase(store, id, VIN, { openedAt: at(0) });
      for (const id of ['c2', 'c3', 'c1']) {
        const c = (await store.getCase(id))!;
        const { vehicle } = await store.loadVehicle(VIN);
        const closed: Case = { ...c, status: 'closed', closedAt: at(60_000), resolution: 'duplicate' };
        expect((await store.commit(change(VIN, vehicle.version, { cases: [closed] }))).status).toBe('ok');
      }
      expect((await store.listCases('closed')).map((c) => c.id)).toEqual(['c3', 'c2', 'c1']);
    });

    it('open cases come in queue order: priority, then openedAt, then id', async () => {
      const store = await make();
      await openCase(store, 'c-trouble', VIN, { priority: 3, trigger: 'trouble', openedAt: at(0) });
      await openCase(store, 'c-sos-late', VIN2, { priority: 2, openedAt: at(5_000) });
      await openCase(store, 'c-sos-early', VIN3, { priority: 2, openedAt: at(1_000) });
      await openCase(store, 'c-airbag-b', VIN, { priority: 1, trigger: 'airbag', openedAt: at(9_000) });
      await openCase(store, 'c-airbag-a', VIN2, { priority: 1, trigger: 'airbag', openedAt: at(9_000) });
      const expected = ['c-airbag-a', 'c-airbag-b', 'c-sos-early', 'c-sos-late', 'c-trouble'];
      expect((await store.listCases('open')).map((c) => c.id)).toEqual(expected);
      expect((await store.feedSnapshot()).cases.map((c) => c.id)).toEqual(expected);
      // A car's aggregate holds its own open cases only.
      expect((await store.loadVehicle(VIN)).cases.map((c) => c.id).sort()).toEqual(['c-airbag-b', 'c-trouble']);
    });

    it('a closed case leaves the open queue and the car aggregate; closed ones list newest first', async () => {
      const store = await make();
      await openCase(store, 'c1', VIN, { openedAt: at(0) });
      await openCase(store, 'c2', VIN, { openedAt: at(1) });
      await openCase(store, 'c3', VIN2, { openedAt: at(2) });
      const close = async (id: string, closedAt: string) => {
        const c = (await store.getCase(id))!;
        const { vehicle } = await store.loadVehicle(c.vin);
        const closed: Case = { ...c, status: 'closed', closedAt, resolution: 'accidental' };
        const r = await store.commit(change(c.vin, vehicle.version, { cases: [closed], feed: [{ type: 'case.closed', at: closedAt, case: closed }] }));
        expect(r.status).toBe('ok');
      };
      await close('c1', at(60_000));
      await close('c3', at(90_000));
      expect((await store.listCases('open')).map((c) => c.id)).toEqual(['c2']);
      expect((await store.listCases('closed')).map((c) => c.id)).toEqual(['c3', 'c1']);
      expect((await store.getCase('c1'))!.resolution).toBe('accidental');
      const agg = await store.loadVehicle(VIN);
      expect(agg.cases.map((c) => c.id)).toEqual(['c2']);
      expect(agg.sessions.map((s) => s.id)).toEqual(['s-c2']);
      expect((await store.feedSnapshot()).cases.map((c) => c.id)).toEqual(['c2']);
    });

    it('updating an open case keeps it once in the queue, at its new place', async () => {
      const store = await make();
      await openCase(store, 'c1', VIN, { priority: 3, trigger: 'trouble' });
      await openCase(store, 'c2', VIN2, { priority: 2 });
      const c1 = (await store.getCase('c1'))!;
      const { vehicle } = await store.loadVehicle(VIN);
      const upgraded: Case = { ...c1, priority: 1, operatorId: 'op-7' };
      expect((await store.commit(change(VIN, vehicle.version, { cases: [upgraded] }))).status).toBe('ok');
      expect((await store.listCases('open')).map((c) => [c.id, c.operatorId])).toEqual([['c1', 'op-7'], ['c2', undefined]]);
      expect((await store.loadVehicle(VIN)).cases).toEqual([upgraded]);
    });

    it('feed seqs are strictly increasing with no gaps, in commit order', async () => {
      const store = await make();
      const seqs: number[] = [];
      for (let i = 0; i < 5; i++) {
        const c = makeCase(`c${i}`, VINS[i % 3]!);
        const { vehicle } = await store.loadVehicle(c.vin);
        const drafts: FeedDraft[] = [openedDraft(c), { type: 'session.updated', at: c.openedAt, session: makeSession(c) }];
        const r = await store.commit(change(c.vin, vehicle.version, { cases: [c], sessions: [makeSession(c)], feed: drafts }));
        if (r.status !== 'ok') throw new Error(r.status);
        seqs.push(...r.feed.map((m) => m.seq));
      }
      expect(seqs).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      const noFeed = await store.commit(change(VIN, (await store.loadVehicle(VIN)).vehicle.version));
      expect(noFeed).toEqual({ status: 'ok', feed: [] });
      expect((await store.feedSnapshot()).seq).toBe(10);
    });

    it('feedSince replays what came after seq; null when seq is in the future', async () => {
      const store = await make();
      expect(await store.feedSince(0)).toEqual([]);
      expect(await store.feedSince(1)).toBeNull();
      const all = [...(await openCase(store, 'c1', VIN)), ...(await openCase(store, 'c2', VIN2)), ...(await openCase(store, 'c3', VIN3))];
      expect(await store.feedSince(0)).toEqual(all);
      expect(await store.feedSince(1)).toEqual(all.slice(1));
      expect(await store.feedSince(3)).toEqual([]);
      expect(await store.feedSince(4)).toBeNull();
      expect(await store.feedSince(-1)).toBeNull();
    });

    it('feedSince is null once seq is older than the kept history', async () => {
      const store = await make({ feedHistory: 5 });
      for (let i = 0; i < 12; i++) await openCase(store, `c${i}`, VINS[i % 4]!);
      // Kept: 8..12. Resuming after 7 needs 8.. only; after 6 would need 7, which is gone.
      expect(await store.feedSince(0)).toBeNull();
      expect(await store.feedSince(6)).toBeNull();
      expect((await store.feedSince(7))!.map((m) => m.seq)).toEqual([8, 9, 10, 11, 12]);
      expect((await store.feedSince(11))!.map((m) => m.seq)).toEqual([12]);
      expect(await store.feedSince(12)).toEqual([]);
      expect(await store.feedSince(13)).toBeNull();
    });

    it('the kept history slides one message at a time, commit after commit (the memory store cuts its head in chunks)', async () => {
      const store = await make({ feedHistory: 16 });
      for (let seq = 1; seq <= 40; seq++) {
        await openCase(store, `c${seq}`, VINS[seq % 4]!);
        const oldest = Math.max(1, seq - 15);
        expect((await store.feedSince(oldest - 1))!.map((m) => m.seq)).toEqual(Array.from({ length: seq - oldest + 1 }, (_, i) => oldest + i));
        if (oldest > 1) expect(await store.feedSince(oldest - 2)).toBeNull();
      }
    });

    it('a snapshot is consistent: its cases are exactly those opened up to its seq, even under concurrent commits', async () => {
      const store = await make();
      const commits = Array.from({ length: 30 }, (_, i) => openCase(store, `c${String(i).padStart(2, '0')}`, VINS[i % 4]!).catch(async () => {
        // A conflict between two commits to the same car: read again and commit again.
        for (;;) {
          try {
            return await openCase(store, `c${String(i).padStart(2, '0')}`, VINS[i % 4]!);
          } catch {
            /* retry */
          }
        }
      }));
      const snapshots = await Promise.all(Array.from({ length: 10 }, () => store.feedSnapshot()));
      await Promise.all(commits);
      // Each commit opened one case and appended one message.
      for (const snap of snapshots) expect(snap.cases.length).toBe(snap.seq);
      const final = await store.feedSnapshot();
      expect(final.seq).toBe(30);
      expect(final.cases).toHaveLength(30);
    });

    it('onFeed delivers every later message once, in seq order; unsubscribing stops it', async () => {
      const store = await make();
      await openCase(store, 'before', VIN);
      const got: FeedMessage[] = [];
      const off = store.onFeed((m) => got.push(m));
      const sent: FeedMessage[] = [];
      for (let i = 0; i < 4; i++) sent.push(...(await openCase(store, `c${i}`, VINS[i % 4]!)));
      await waitFor(() => got.length >= sent.length, 5_000, 'feed delivery');
      expect(got).toEqual(sent);
      off();
      await openCase(store, 'after', VIN3);
      await new Promise((r) => setTimeout(r, 100));
      expect(got).toHaveLength(sent.length);
    });

    it('two listeners each get every message once', async () => {
      const store = await make();
      const a: number[] = [];
      const b: number[] = [];
      store.onFeed((m) => a.push(m.seq));
      store.onFeed((m) => b.push(m.seq));
      await Promise.all(VINS.map((vin, i) => openCase(store, `c${i}`, vin)));
      await waitFor(() => a.length >= 4 && b.length >= 4, 5_000, 'both listeners');
      await new Promise((r) => setTimeout(r, 50));
      expect(a).toEqual([1, 2, 3, 4]);
      expect(b).toEqual([1, 2, 3, 4]);
    });

    it('recordAck is unknown for a command never sent to this car, ok for one that was', async () => {
      const store = await make();
      expect((await store.commit(change(VIN, 0, { commands: [command(VIN, 'cmd1'), command(VIN, 'cmd2')] }))).status).toBe('ok');
      expect(await store.recordAck(VIN, { v: 1, commandId: 'nope', ok: true }, at(1))).toBe('unknown');
      expect(await store.recordAck(VIN2, { v: 1, commandId: 'cmd1', ok: true }, at(1))).toBe('unknown');
      expect(await store.recordAck(VIN, { v: 1, commandId: 'cmd1', ok: true }, at(1))).toBe('ok');
      expect(await store.recordAck(VIN, { v: 1, commandId: 'cmd2', ok: false, error: 'busy' }, at(2))).toBe('ok');
      expect(await store.listCommands(VIN)).toEqual([
        { ...command(VIN, 'cmd1'), ack: { ok: true, at: at(1) } },
        { ...command(VIN, 'cmd2'), ack: { ok: false, error: 'busy', at: at(2) } },
      ]);
      expect(await store.listCommands(VIN2)).toEqual([]);
    });

    it('keeps the last commandsPerVehicle commands; acks for dropped ones are unknown', async () => {
      const store = await make({ commandsPerVehicle: 3 });
      const ids = ['k1', 'k2', 'k3', 'k4', 'k5'];
      expect((await store.commit(change(VIN, 0, { commands: ids.slice(0, 2).map((id) => command(VIN, id)) }))).status).toBe('ok');
      expect(await store.recordAck(VIN, { v: 1, commandId: 'k1', ok: true }, at(1))).toBe('ok');
      expect((await store.commit(change(VIN, 1, { commands: ids.slice(2).map((id) => command(VIN, id)) }))).status).toBe('ok');
      expect((await store.listCommands(VIN)).map((c) => c.commandId)).toEqual(['k3', 'k4', 'k5']);
      expect(await store.recordAck(VIN, { v: 1, commandId: 'k1', ok: true }, at(2))).toBe('unknown');
      expect(await store.recordAck(VIN, { v: 1, commandId: 'k5', ok: true }, at(2))).toBe('ok');
    });

    it('alerts and impacts append per car, oldest first', async () => {
      const store = await make();
      const alert = (id: string) => ({ id, vin: VIN, eventId: `e-${id}`, kind: 'intrusion', at: at(0), status: 'suppressed' as const });
      const impact = (id: string, deltaVKmh: number) => ({ eventId: id, vin: VIN, at: at(0), deltaVKmh, escalated: false });
      await store.commit(change(VIN, 0, { alerts: [alert('a1')], impacts: [impact('i1', 3.5)] }));
      await store.commit(change(VIN, 1, { alerts: [alert('a2'), alert('a3')], impacts: [impact('i2', 7.25)] }));
      expect((await store.listAlerts(VIN)).map((a) => a.id)).toEqual(['a1', 'a2', 'a3']);
      expect(await store.listImpacts(VIN)).toEqual([impact('i1', 3.5), impact('i2', 7.25)]);
      expect(await store.listAlerts(VIN2)).toEqual([]);
      expect(await store.listImpacts(VIN2)).toEqual([]);
    });

    it('scheduledLockouts lists cars whose lockout has an end time, and forgets them when it is cleared', async () => {
      const store = await make();
      const locked = (vin: string, version: number, until: number | null): VehicleState => ({
        ...emptyVehicle(vin),
        version,
        lockout: { features: until === null ? [] : ['remote_operations'], holdingSessionIds: [], until },
      });
      const until1 = T0 + 3_600_000;
      const until2 = T0 + 1_800_000;
      await store.commit(change(VIN, 0, { vehicle: locked(VIN, 1, until1) }));
      await store.commit(change(VIN2, 0, { vehicle: locked(VIN2, 1, until2) }));
      await store.commit(change(VIN3, 0, { vehicle: locked(VIN3, 1, null) }));
      const byVin = (list: { vin: string; until: number }[]) => [...list].sort((a, b) => a.vin.localeCompare(b.vin));
      expect(byVin(await store.scheduledLockouts())).toEqual([
        { vin: VIN, until: until1 },
        { vin: VIN2, until: until2 },
      ]);
      await store.commit(change(VIN, 1, { vehicle: locked(VIN, 2, null) }));
      expect(await store.scheduledLockouts()).toEqual([{ vin: VIN2, until: until2 }]);
    });

    it('issue 9: outbox messages are kept with their commit until confirmed; a newer one under the same key replaces a pending one', async () => {
      const store = await make();
      const msg = (key: string, id: string, atMs: number, payload = `{"k":"${key}","id":"${id}"}`) => ({ key, id, topic: `v1/vehicles/${VIN}/commands`, payload, qos: 1 as const, retain: false, at: T0 + atMs });
      await store.commit(change(VIN, 0, { outbox: [msg('cmd:a', '1', 0), msg(`lockout:${VIN}`, '1', 0)] }));
      await store.commit(change(VIN, 1, { outbox: [msg('cmd:b', '2', 1_000), msg(`lockout:${VIN}`, '2', 1_000, '{"newest":true}')] }));
      // A conflicting commit keeps nothing of its outbox.
      expect(await store.commit(change(VIN, 0, { outbox: [msg('cmd:lost', '9', 0)] }))).toEqual({ status: 'conflict' });

      expect((await store.outboxPending(T0, 10)).map((m) => m.key)).toEqual(['cmd:a']);
      const all = await store.outboxPending(T0 + 1_000, 10);
      expect(all.map((m) => m.key).sort()).toEqual(['cmd:a', 'cmd:b', `lockout:${VIN}`]);
      expect(all.find((m) => m.key === `lockout:${VIN}`)).toEqual(msg(`lockout:${VIN}`, '2', 1_000, '{"newest":true}'));
      expect(await store.outboxPending(T0 + 1_000, 1)).toHaveLength(1);

      // Confirming the replaced version (id 1) leaves the newer one pending; confirming id 2 removes it.
      await store.outboxDone([{ key: `lockout:${VIN}`, id: '1' }, { key: 'cmd:a', id: '1' }]);
      expect((await store.outboxPending(T0 + 1_000, 10)).map((m) => m.key).sort()).toEqual(['cmd:b', `lockout:${VIN}`]);
      await store.outboxDone([{ key: `lockout:${VIN}`, id: '2' }, { key: 'cmd:b', id: '2' }, { key: 'cmd:never', id: '1' }]);
      expect(await store.outboxPending(T0 + 1_000, 10)).toEqual([]);
    });

    it('issue 9: a car whose stored case a strict JSON decoder cannot read still loads, with its session', async () => {
      const store = await make();
      // A lone surrogate and deep nesting are refused at validation now; records stored before that
      // (or by another writer) must not make the whole car unreadable.
      const deep = JSON.parse('{"a":'.repeat(1_100) + '1' + '}'.repeat(1_100)) as Record<string, unknown>;
      const c = makeCase('poisoned', VIN, { data: { deployed: ['driver_front\ud800'], deep } });
      const s = makeSession(c);
      expect((await store.commit(change(VIN, 0, { cases: [c], sessions: [s], feed: [openedDraft(c)] }))).status).toBe('ok');
      const loaded = await store.loadVehicle(VIN);
      expect(loaded.cases.map((x) => x.id)).toEqual(['poisoned']);
      expect(loaded.sessions).toEqual([s]);
      // An event's read of the car (issue 15) takes the same way round.
      expect(await store.readEvent(VIN, 'next')).toMatchObject({ seen: false, aggregate: { sessions: [s] } });
      expect(await store.commit(change(VIN, 1, { commands: [command(VIN, 'after-poison')] }))).toMatchObject({ status: 'ok' });
    });

    it('ping resolves while the store is reachable', async () => {
      const store = await make();
      await expect(store.ping()).resolves.toBeUndefined();
    });

    // Issue 11: the audit log, accounts, tokens, failed logins, vehicle credentials.
    identityContract(make, change);

    // Issue 12: last known positions shared between instances, and the queue order by severity.
    positionsContract(make, openCase);
  });
}
