/**
 * Differential test: random histories of commits and acks applied to the memory store (the reference)
 * and to the Redis store; every answer and every read must be the same (STYLE 8). Small feed history
 * and command bound so that trimming is exercised too.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Case, FeedDraft, FeedMessage } from '../../protocol/index.js';
import { emptyVehicle } from '../../services/incident/domain/state.js';
import { MemoryStore } from '../../services/incident/store/memory-store.js';
import type { Commit, Store } from '../../services/incident/store/port.js';
import { createRedisStore } from '../../services/incident/store/redis-store.js';
import { testRedis, uniquePrefix, type TestRedis } from '../helpers/redis.js';
import { at, change, command, makeCase, makeSession, VINS, waitFor } from '../helpers/store-contract.js';

const HISTORY = 6;
const COMMANDS = 3;
const EVENTS = ['e0', 'e1', 'e2', 'e3', 'e4'];

const commitOp = fc.record({
  kind: fc.constant('commit' as const),
  vin: fc.integer({ min: 0, max: 2 }),
  stale: fc.integer({ min: 0, max: 9 }), // 0 -> a stale version (conflict)
  eventId: fc.option(fc.constantFrom(...EVENTS), { nil: undefined }),
  open: fc.boolean(),
  priority: fc.constantFrom(1 as const, 2 as const, 3 as const),
  touch: fc.option(fc.record({ pick: fc.nat(), close: fc.boolean(), priority: fc.constantFrom(1 as const, 2 as const, 3 as const) }), { nil: undefined }),
  alerts: fc.integer({ min: 0, max: 2 }),
  impacts: fc.integer({ min: 0, max: 1 }),
  commands: fc.integer({ min: 0, max: 2 }),
  feed: fc.integer({ min: 0, max: 2 }),
  lockout: fc.option(fc.integer({ min: 1, max: 5 }), { nil: null }),
});
const ackOp = fc.record({ kind: fc.constant('ack' as const), vin: fc.integer({ min: 0, max: 2 }), pick: fc.nat(), ok: fc.boolean() });
const history = fc.array(fc.oneof({ arbitrary: commitOp, weight: 4 }, { arbitrary: ackOp, weight: 1 }), { minLength: 1, maxLength: 30 });

type Op = typeof history extends fc.Arbitrary<(infer O)[]> ? O : never;

let redis: TestRedis;
beforeAll(async () => {
  redis = await testRedis();
});
afterAll(async () => {
  await redis?.close();
});

/** Builds the next commit from the reference store's state, so both stores get the very same change. */
async function buildCommit(ref: Store, op: Extract<Op, { kind: 'commit' }>, n: number, commandIds: string[]): Promise<Commit> {
  const vin = VINS[op.vin]!;
  const { vehicle, cases } = await ref.loadVehicle(vin);
  const version = op.stale === 0 ? vehicle.version + 1 : vehicle.version;
  const changedCases: Case[] = [];
  const feed: FeedDraft[] = [];
  if (op.open) changedCases.push(makeCase(`c${n}`, vin, { priority: op.priority, openedAt: at(Math.floor(n / 3) * 1_000) }));
  if (op.touch && cases.length > 0) {
    const c = cases[op.touch.pick % cases.length]!;
    changedCases.push(op.touch.close ? { ...c, status: 'closed', closedAt: at(1e6 + n), resolution: 'done' } : { ...c, priority: op.touch.priority });
  }
  for (let i = 0; i < op.feed; i++) {
    const c = changedCases[i % Math.max(1, changedCases.length)];
    feed.push(c ? { type: c.status === 'open' ? 'case.updated' : 'case.closed', at: at(n), case: c } : { type: 'lockout.updated', at: at(n), lockout: { vin, active: false, features: [], until: null } });
  }
  const commands = Array.from({ length: op.commands }, (_, i) => command(vin, `k${n}-${i}`));
  commandIds.push(...commands.map((c) => c.commandId));
  return change(vin, version, {
    ...(op.eventId !== undefined ? { eventId: op.eventId } : {}),
    vehicle: {
      ...emptyVehicle(vin),
      ...vehicle,
      version: version + 1,
      powerMode: n % 2 ? 'on' : 'off',
      lockout: { features: op.lockout === null ? [] : ['remote_operations'], holdingSessionIds: [], until: op.lockout === null ? null : op.lockout * 60_000 + n },
    },
    cases: changedCases,
    sessions: changedCases.filter((c) => c.status === 'open').map((c) => makeSession(c, { audioMuted: n % 2 === 0 })),
    alerts: Array.from({ length: op.alerts }, (_, i) => ({ id: `a${n}-${i}`, vin, eventId: `ev${n}`, kind: 'intrusion', at: at(n), status: 'delivered' as const })),
    impacts: Array.from({ length: op.impacts }, () => ({ eventId: `ev${n}`, vin, at: at(n), deltaVKmh: 3.75, escalated: false })),
    commands,
    feed,
  });
}

async function observe(store: Store) {
  // The epoch names each store's own history, so it differs between them by design.
  const { epoch: _epoch, ...snapshot } = await store.feedSnapshot();
  const since: Record<number, FeedMessage[] | null> = {};
  for (let s = -1; s <= snapshot.seq + 1; s++) since[s] = await store.feedSince(s);
  const perVin = await Promise.all(
    VINS.slice(0, 3).map(async (vin) => ({
      aggregate: await store.loadVehicle(vin),
      commands: await store.listCommands(vin),
      alerts: await store.listAlerts(vin),
      impacts: await store.listImpacts(vin),
      seen: await Promise.all(EVENTS.map((e) => store.readEvent(vin, e).then((r) => r.seen))),
    })),
  );
  const lockouts = (await store.scheduledLockouts()).sort((a, b) => a.vin.localeCompare(b.vin));
  return { snapshot, open: await store.listCases('open'), closed: await store.listCases('closed'), since, perVin, lockouts };
}

describe('RedisStore matches MemoryStore on random histories', () => {
  it('same answers, same reads, same feed', async () => {
    await fc.assert(
      fc.asyncProperty(history, async (ops) => {
        const mem = new MemoryStore({ feedHistory: HISTORY, commandsPerVehicle: COMMANDS });
        const red = await createRedisStore({ url: redis.url, keyPrefix: uniquePrefix('diff'), feedHistory: HISTORY, commandsPerVehicle: COMMANDS });
        try {
          const heardMem: FeedMessage[] = [];
          const heardRed: FeedMessage[] = [];
          mem.onFeed((m) => heardMem.push(m));
          red.onFeed((m) => heardRed.push(m));
          const commandIds: string[] = [];
          for (const [n, op] of ops.entries()) {
            if (op.kind === 'commit') {
              const commit = await buildCommit(mem, op, n, commandIds);
              expect(await red.commit(commit)).toEqual(await mem.commit(commit));
            } else {
              const vin = VINS[op.vin]!;
              const commandId = commandIds.length > 0 ? commandIds[op.pick % commandIds.length]! : 'none';
              const ack = { v: 1 as const, commandId, ok: op.ok, ...(op.ok ? {} : { error: 'busy' }) };
              expect(await red.recordAck(vin, ack, at(n))).toBe(await mem.recordAck(vin, ack, at(n)));
            }
          }
          expect(await observe(red)).toEqual(await observe(mem));
          await waitFor(() => heardRed.length >= heardMem.length, 5_000, 'redis feed listener');
          expect(heardRed).toEqual(heardMem);
        } finally {
          await Promise.all([mem.close(), red.close()]);
        }
      }),
      { numRuns: 40 },
    );
  });
});
