/**
 * Properties of the rules over random histories: events of all six types on a few cars (with
 * redeliveries and two-instance races), operator actions by several operators, lockout expiry timers
 * and clock advances, applied through decide + MemoryStore.commit as the ingest pipeline does.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EVENT_TYPES, type Case, type EventType, type LockoutFeature, type Trigger, type VehicleEvent, type VoiceSession } from '../../protocol/index.js';
import { decideEvent, lockoutView } from '../../services/incident/domain/index.js';
import { DomainPipeline, LOCKOUT_MS, MINUTE, SECOND, VIN, VIN_B, VIN_C, event } from '../helpers/domain-pipeline.js';

const VINS = [VIN, VIN_B, VIN_C] as const;
const OPERATORS = ['op-1', 'op-2', 'op-3'] as const;

/** What each trigger locks, straight from DOMAIN.md (D3.1, D3.2, D3.3), not from the code under test. */
const LOCKS: Record<Trigger, LockoutFeature[]> = {
  airbag: ['remote_operations', 'trouble_button', 'security_alarm'],
  impact: ['remote_operations', 'trouble_button', 'security_alarm'],
  sos: ['remote_operations', 'trouble_button', 'security_alarm', 'wifi', 'app_center'],
  trouble: [],
};

type Step =
  | { k: 'event'; type: EventType; vin: number; redeliver: number | null; test: boolean; deltaV: number; mode: 'off' | 'acc' | 'on' }
  | { k: 'race'; type: EventType; vin: number; redeliver: number | null; test: boolean; deltaV: number; mode: 'off' | 'acc' | 'on' }
  | { k: 'op'; action: 'answer' | 'hangup' | 'callback' | 'close'; pick: number; op: number }
  | { k: 'advance'; ms: number }
  | { k: 'edge'; offset: -1 | 0 }
  | { k: 'expire'; vin: number };

const eventFields = {
  type: fc.constantFrom(...EVENT_TYPES),
  vin: fc.nat({ max: VINS.length - 1 }),
  // about one event in four is a redelivery of an earlier one (same payload, same eventId)
  redeliver: fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.nat({ max: 50 }) }),
  test: fc.nat({ max: 9 }).map((n) => n === 0),
  deltaV: fc.constantFrom(0, 3, 7.99, 8, 25),
  mode: fc.constantFrom('off' as const, 'acc' as const, 'on' as const),
};

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ k: fc.constant('event' as const), ...eventFields }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('race' as const), ...eventFields }) },
  {
    weight: 5,
    arbitrary: fc.record({
      k: fc.constant('op' as const),
      action: fc.constantFrom('answer' as const, 'hangup' as const, 'callback' as const, 'close' as const),
      pick: fc.nat({ max: 50 }),
      op: fc.nat({ max: 2 * OPERATORS.length - 1 }),
    }),
  },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('advance' as const), ms: fc.constantFrom(SECOND, 10 * MINUTE, 30 * MINUTE, LOCKOUT_MS - 1, LOCKOUT_MS) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('edge' as const), offset: fc.constantFrom(-1 as const, 0 as const) }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('expire' as const), vin: fc.nat({ max: VINS.length - 1 }) }) },
);

/** Replays a history and checks the invariants after every step. */
class World {
  readonly p = new DomainPipeline();
  private readonly sent: VehicleEvent[] = [];
  private n = 0;
  /** Latest known state of every case and session, from the feed. */
  private readonly cases = new Map<string, Case>();
  private readonly sessions = new Map<string, VoiceSession>();
  /** Clear-downs of calls whose trigger locks features (D3.5 obligations). */
  private readonly clears: { vin: string; sessionId: string; at: number; features: LockoutFeature[] }[] = [];
  private feedSeen = 0;

  private makeEvent(s: Extract<Step, { k: 'event' | 'race' }>): VehicleEvent {
    if (s.redeliver !== null && this.sent.length > 0) return this.sent[s.redeliver % this.sent.length]!;
    const vin = VINS[s.vin]!;
    const eventId = `e${++this.n}`;
    const at = this.p.clock.now();
    const base = { vin, eventId, at, ...(s.test ? { test: true } : {}) };
    let e: VehicleEvent;
    if (s.type === 'impact') e = event('impact', { ...base, data: { deltaVKmh: s.deltaV } });
    else if (s.type === 'power') e = event('power', { ...base, data: { mode: s.mode } });
    else e = event(s.type, base);
    this.sent.push(e);
    return e;
  }

  async apply(s: Step): Promise<void> {
    const p = this.p;
    switch (s.k) {
      case 'event':
        await p.event(this.makeEvent(s));
        return;
      case 'race': {
        // two instances receive the same delivery and decide on the same version
        const e = this.makeEvent(s);
        const aggregate = await p.load(e.vin);
        const one = decideEvent(aggregate, e, p.ctx());
        const two = decideEvent(aggregate, e, p.ctx());
        const first = await p.commit(aggregate, one, e.eventId);
        const second = await p.commit(aggregate, two, e.eventId);
        expect(second.status, 'the same event committed twice').not.toBe('ok');
        if (first.status === 'ok') expect(second.status).toBe('duplicate');
        return;
      }
      case 'op': {
        // mostly open cases; now and then a closed one (which must be refused)
        const open = await p.store.listCases('open');
        const pool = s.pick % 5 === 0 || open.length === 0 ? [...open, ...(await p.store.listCases('closed'))] : open;
        if (pool.length === 0) return;
        const c = pool.sort((a, b) => a.id.localeCompare(b.id))[s.pick % pool.length]!;
        // mostly the operator who has the case (or anyone, if nobody has it yet); sometimes another one
        const operatorId = (s.op < OPERATORS.length ? OPERATORS[s.op] : c.operatorId) ?? OPERATORS[s.pick % OPERATORS.length]!;
        const action = s.action === 'close' ? { kind: s.action, caseId: c.id, operatorId, resolution: 'resolved' } : { kind: s.action, caseId: c.id, operatorId };
        await p.act(c.vin, action);
        return;
      }
      case 'advance':
        await p.advance(s.ms);
        return;
      case 'edge': {
        // jump to just before (or exactly at) the next lockout end: the boundary D3.5 is about
        const now = p.clock.now();
        const ends = (await p.store.scheduledLockouts()).map((l) => l.until + s.offset).filter((t) => t > now);
        if (ends.length > 0) await p.clock.advanceTo(Math.min(...ends));
        return;
      }
      case 'expire':
        await p.expire(VINS[s.vin]!);
        return;
    }
  }

  /** Folds new feed messages into the known cases and sessions, and records clear-downs. */
  private absorbFeed(): void {
    for (const m of this.p.feed.slice(this.feedSeen)) {
      if (m.type === 'session.updated') {
        this.sessions.set(m.session.id, m.session);
        const c = this.cases.get(m.session.caseId);
        if (m.session.state === 'cleared' && c && !c.test) {
          const features = LOCKS[c.trigger];
          if (features.length > 0) this.clears.push({ vin: c.vin, sessionId: m.session.id, at: Date.parse(m.session.clearedAt!), features });
        }
      } else if (m.type !== 'lockout.updated') {
        this.cases.set(m.case.id, m.case);
      }
    }
    this.feedSeen = this.p.feed.length;
  }

  stats(): void {
    const g = globalThis as unknown as { __s?: Record<string, number> };
    const st = (g.__s ??= {});
    const add = (k: string, n = 1) => (st[k] = (st[k] ?? 0) + n);
    add('runs');
    add('cases', this.cases.size);
    add('clears', this.clears.length);
    add('feed', this.p.feed.length);
    add('callbacks', [...this.sessions.values()].filter((s) => s.callbacks.length > 0).length);
    add('closed', [...this.cases.values()].filter((c) => c.status === 'closed').length);
    add('wifi', this.p.commands.filter((c) => c.body.cmd === 'wifi').length);
    add('notices', this.p.commands.filter((c) => c.body.cmd === 'notice').length);
    add('expired', this.p.commands.filter((c) => c.body.cmd === 'lockout' && !c.body.active).length);
    if (st.runs === 200) console.log(JSON.stringify(st));
  }

  async check(): Promise<void> {
    const p = this.p;
    const now = p.clock.now();
    this.absorbFeed();

    // contract: at least once delivery, processed once: never two cases for one (vin, eventId)
    const all = [...(await p.store.listCases('open')), ...(await p.store.listCases('closed'))];
    const keys = all.map((c) => `${c.vin}/${c.eventId}`);
    expect(new Set(keys).size, `cases per (vin, eventId): ${keys.join(', ')}`).toBe(keys.length);

    // D2.2: no session the car may not hang up was ever cleared by the car (every session change is in the feed)
    for (const m of p.feed) {
      if (m.type !== 'session.updated') continue;
      expect(m.session.hangupPolicy === 'operator_only' && m.session.clearedBy === 'vehicle', `car hung up an auto call ${m.session.id}`).toBe(false);
    }

    // D3.5 (and D3.1/D3.2): a locking call holds the lockout while it lives...
    for (const s of this.sessions.values()) {
      const c = this.cases.get(s.caseId);
      if (!c || c.test || s.state === 'cleared' || LOCKS[c.trigger].length === 0) continue;
      const view = lockoutView(c.vin, (await p.load(c.vin)).vehicle.lockout, now);
      expect(view.active, `lockout of ${c.vin} while call ${s.id} lives`).toBe(true);
      expect(view.until).toBeNull();
      expect(view.features).toEqual(expect.arrayContaining(LOCKS[c.trigger]));
    }
    // ...and never ends earlier than 60 minutes after its clear-down
    for (const cl of this.clears) {
      if (now >= cl.at + LOCKOUT_MS) continue;
      const view = lockoutView(cl.vin, (await p.load(cl.vin)).vehicle.lockout, now);
      expect(view.active, `lockout of ${cl.vin} at +${now - cl.at} ms after clear-down of ${cl.sessionId}`).toBe(true);
      expect(view.features).toEqual(expect.arrayContaining(cl.features));
      if (view.until !== null) expect(Date.parse(view.until)).toBeGreaterThanOrEqual(cl.at + LOCKOUT_MS);
    }

    // D3.2: the car's Wi-Fi was last switched off exactly while its (stored) lockout holds wifi
    for (const vin of VINS) {
      const wifi = p.commands.filter((c) => c.vin === vin && c.body.cmd === 'wifi').at(-1)?.body;
      const held = (await p.load(vin)).vehicle.lockout;
      const locksWifi = (held.holdingSessionIds.length > 0 || held.until !== null) && held.features.includes('wifi');
      expect(wifi?.cmd === 'wifi' ? wifi.enabled : true, `Wi-Fi of ${vin}`).toBe(!locksWifi);
    }

    // a case is closed only once its call is cleared
    for (const m of p.feed) {
      if (m.type === 'case.closed') expect(this.sessions.get(m.case.sessionId)?.state).toBe('cleared');
    }

    // D2.5: the car is told muted exactly while a call is not cleared
    for (const c of p.commands) if (c.body.cmd === 'call.state') expect(c.body.audioMuted).toBe(c.body.state !== 'cleared');

    // contract: one feed sequence, strictly increasing, no gaps, and the store replays it the same
    const seqs = p.feed.map((m) => m.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    expect((await p.store.feedSince(0))?.map((m) => m.seq)).toEqual(seqs);
  }
}

describe('domain properties over random histories', () => {
  it('D2.2 D2.5 D3.2 D3.5 contract: no duplicate cases, no car hang-up of auto calls, lockouts never end early, Wi-Fi mirrored, gapless feed', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 5, maxLength: 30, size: 'max' }), async (steps) => {
        const w = new World();
        for (const s of steps) {
          await w.apply(s);
          await w.check();
        }
        if (process.env.DOMAIN_PROP_STATS) w.stats();
      }),
      { numRuns: 200 },
    );
  });
});
