/**
 * Random histories for the property tests, and the invariants every history must keep. Shared by the
 * domain properties (a domain spec, expiry when the history says) and the service properties (MQTT
 * ingest, operator actions and lockout timers of IncidentService on a VirtualClock).
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { EVENT_TYPES, type Case, type CommandBody, type EventType, type FeedMessage, type LockoutFeature, type Trigger, type VehicleEvent, type VoiceSession } from '../../protocol/index.js';
import { lockoutView } from '../../services/incident/domain/index.js';
import type { Store } from '../../services/incident/store/port.js';
import { LOCKOUT_MS, MINUTE, SECOND, VIN, VIN_B, VIN_C, event } from './domain-fixtures.js';

export const VINS = [VIN, VIN_B, VIN_C] as const;
export const OPERATORS = ['op-1', 'op-2', 'op-3'] as const;

/** What each trigger locks, straight from DOMAIN.md (D3.1, D3.2, D3.3), not from the code under test. */
export const LOCKS: Record<Trigger, LockoutFeature[]> = {
  airbag: ['remote_operations', 'trouble_button', 'security_alarm'],
  impact: ['remote_operations', 'trouble_button', 'security_alarm'],
  sos: ['remote_operations', 'trouble_button', 'security_alarm', 'wifi', 'app_center'],
  trouble: [],
};

/** What a case's call locks: the union over every trigger that joined it (one call at a time). */
function locks(c: Case): LockoutFeature[] {
  return [...new Set((c.triggers ?? [{ type: c.trigger }]).flatMap((t) => LOCKS[t.type]))];
}

type EventStep = { type: EventType; vin: number; redeliver: number | null; test: boolean; deltaV: number; mode: 'off' | 'acc' | 'on' };
export type Step =
  | ({ k: 'event' } & EventStep)
  /** Two deliveries processed at once: the second is a redelivery of the first, or another event of the same car. */
  | ({ k: 'race'; same: boolean; other: EventStep } & EventStep)
  | { k: 'op'; action: 'answer' | 'hangup' | 'callback' | 'close'; pick: number; op: number }
  | { k: 'advance'; ms: number }
  | { k: 'edge'; offset: -1 | 0 }
  | { k: 'expire'; vin: number }
  /** The owner's app: set Wi-Fi (enabled true/false) or send a remote operation (null). Only the service world acts on it. */
  | { k: 'owner'; vin: number; wifi: boolean | null };

const eventStep = fc.record({
  type: fc.constantFrom(...EVENT_TYPES),
  vin: fc.nat({ max: VINS.length - 1 }),
  // about one event in four is a redelivery of an earlier one (same payload, same eventId)
  redeliver: fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.nat({ max: 50 }) }),
  test: fc.nat({ max: 9 }).map((n) => n === 0),
  deltaV: fc.constantFrom(0, 3, 7.99, 8, 25),
  mode: fc.constantFrom('off' as const, 'acc' as const, 'on' as const),
});

export const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: eventStep.map((e) => ({ k: 'event' as const, ...e })) },
  { weight: 1, arbitrary: fc.tuple(eventStep, eventStep, fc.boolean()).map(([e, other, same]) => ({ k: 'race' as const, ...e, same, other })) },
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
  { weight: 2, arbitrary: fc.record({ k: fc.constant('owner' as const), vin: fc.nat({ max: VINS.length - 1 }), wifi: fc.constantFrom(true, false, null) }) },
);

export const histories = fc.array(step, { minLength: 5, maxLength: 30, size: 'max' });

/** Turns event steps into events; redeliveries repeat an earlier payload exactly. */
export class EventSource {
  private readonly sent: VehicleEvent[] = [];
  private n = 0;

  next(s: EventStep, now: number, vinOverride?: string): VehicleEvent {
    if (s.redeliver !== null && this.sent.length > 0 && vinOverride === undefined) return this.sent[s.redeliver % this.sent.length]!;
    const vin = vinOverride ?? VINS[s.vin]!;
    const base = { vin, eventId: `e${++this.n}`, at: now, ...(s.test ? { test: true } : {}) };
    let e: VehicleEvent;
    if (s.type === 'impact') e = event('impact', { ...base, data: { deltaVKmh: s.deltaV } });
    else if (s.type === 'power') e = event('power', { ...base, data: { mode: s.mode } });
    else e = event(s.type, base);
    this.sent.push(e);
    return e;
  }
}

/** Picks the case and operator of an operator step: mostly an open case and the operator who has it. */
export async function pickAction(store: Store, s: Extract<Step, { k: 'op' }>) {
  const open = await store.listCases('open');
  const pool = s.pick % 5 === 0 || open.length === 0 ? [...open, ...(await store.listCases('closed'))] : open;
  if (pool.length === 0) return null;
  const c = pool.sort((a, b) => a.id.localeCompare(b.id))[s.pick % pool.length]!;
  const operatorId = (s.op < OPERATORS.length ? OPERATORS[s.op] : c.operatorId) ?? OPERATORS[s.pick % OPERATORS.length]!;
  const action =
    s.action === 'close' ? { kind: s.action, caseId: c.id, operatorId, resolution: 'resolved' } : { kind: s.action, caseId: c.id, operatorId };
  return { vin: c.vin, action };
}

/** The next lockout end (minus `offset`) after now, if any: where D3.5 boundaries are. */
export async function nextEdge(store: Store, now: number, offset: number): Promise<number | null> {
  const ends = (await store.scheduledLockouts()).map((l) => l.until + offset).filter((t) => t > now);
  return ends.length > 0 ? Math.min(...ends) : null;
}

/** Checks the invariants of a history after each step, from the committed feed, the commands and the store. */
export class Invariants {
  /** Latest known state of every case and session, from the feed. */
  readonly cases = new Map<string, Case>();
  readonly sessions = new Map<string, VoiceSession>();
  /** Clear-downs of calls whose trigger locks features (D3.5 obligations). */
  readonly clears: { vin: string; sessionId: string; at: number; features: LockoutFeature[] }[] = [];
  private feedSeen = 0;

  constructor(private readonly store: Store) {}

  private absorb(feed: FeedMessage[]): void {
    for (const m of feed.slice(this.feedSeen)) {
      if (m.type === 'session.updated') {
        this.sessions.set(m.session.id, m.session);
        const c = this.cases.get(m.session.caseId);
        if (m.session.state === 'cleared' && c && !c.test && locks(c).length > 0) {
          this.clears.push({ vin: c.vin, sessionId: m.session.id, at: Date.parse(m.session.clearedAt!), features: locks(c) });
        }
      } else if (m.type !== 'lockout.updated') {
        this.cases.set(m.case.id, m.case);
      }
    }
    this.feedSeen = feed.length;
  }

  /** Wi-Fi as each owner last set it (D3.2: restored when a `wifi` lockout ends); true until set. */
  readonly ownerWifi = new Map<string, boolean>();

  async check(now: number, feed: FeedMessage[], commands: { vin: string; body: CommandBody }[]): Promise<void> {
    const store = this.store;
    this.absorb(feed);

    // contract: at least once delivery, processed once: never two cases for one (vin, eventId), nor an
    // event twice in a case's triggers (one call at a time: an event opens a case or joins one, once)
    const all = [...(await store.listCases('open')), ...(await store.listCases('closed'))];
    const keys = all.flatMap((c) => (c.triggers ?? [{ eventId: c.eventId }]).map((t) => `${c.vin}/${t.eventId}`));
    expect(new Set(keys).size, `cases per (vin, eventId): ${keys.join(', ')}`).toBe(keys.length);
    for (const c of all) if (c.triggers) expect(c.triggers[0]?.eventId, `case ${c.id} lists its opening event first`).toBe(c.eventId);

    // contract "One call at a time": a car never has two live calls (a test call and a real one apart)
    const live = new Map<string, number>();
    for (const s of this.sessions.values()) {
      const c = this.cases.get(s.caseId);
      if (!c || s.state === 'cleared') continue;
      const key = `${c.vin}/${c.test}`;
      live.set(key, (live.get(key) ?? 0) + 1);
    }
    for (const [key, n] of live) expect(n, `live calls of ${key}`).toBeLessThanOrEqual(1);

    // D2.2: no session the car may not hang up was ever cleared by the car (every session change is in the feed)
    for (const m of feed) {
      if (m.type !== 'session.updated') continue;
      expect(m.session.hangupPolicy === 'operator_only' && m.session.clearedBy === 'vehicle', `car hung up an auto call ${m.session.id}`).toBe(false);
    }

    // D3.5 (and D3.1/D3.2): a locking call holds the lockout while it lives...
    for (const s of this.sessions.values()) {
      const c = this.cases.get(s.caseId);
      if (!c || c.test || s.state === 'cleared' || locks(c).length === 0) continue;
      const view = lockoutView(c.vin, (await store.loadVehicle(c.vin)).vehicle.lockout, now);
      expect(view.active, `lockout of ${c.vin} while call ${s.id} lives`).toBe(true);
      expect(view.until).toBeNull();
      expect(view.features).toEqual(expect.arrayContaining(locks(c)));
    }
    // ...and never ends earlier than 60 minutes after its clear-down
    for (const cl of this.clears) {
      if (now >= cl.at + LOCKOUT_MS) continue;
      const view = lockoutView(cl.vin, (await store.loadVehicle(cl.vin)).vehicle.lockout, now);
      expect(view.active, `lockout of ${cl.vin} at +${now - cl.at} ms after clear-down of ${cl.sessionId}`).toBe(true);
      expect(view.features).toEqual(expect.arrayContaining(cl.features));
      if (view.until !== null) expect(Date.parse(view.until)).toBeGreaterThanOrEqual(cl.at + LOCKOUT_MS);
    }

    // D3.2: the car's Wi-Fi is off while its (stored) lockout holds wifi, else as the owner last set it
    for (const vin of VINS) {
      const wifi = commands.filter((c) => c.vin === vin && c.body.cmd === 'wifi').at(-1)?.body;
      const held = (await store.loadVehicle(vin)).vehicle.lockout;
      const locksWifi = (held.holdingSessionIds.length > 0 || held.until !== null) && held.features.includes('wifi');
      expect(wifi?.cmd === 'wifi' ? wifi.enabled : true, `Wi-Fi of ${vin}`).toBe(locksWifi ? false : (this.ownerWifi.get(vin) ?? true));
    }

    // a case is closed only once its call is cleared
    for (const m of feed) {
      if (m.type === 'case.closed') expect(this.sessions.get(m.case.sessionId)?.state).toBe('cleared');
    }

    // D3.1: every open case shows the lockout its car was last told (and none before any lockout command)
    for (const c of await store.listCases('open')) {
      const told = commands.filter((x) => x.vin === c.vin && x.body.cmd === 'lockout').at(-1)?.body;
      const { cmd: _cmd, ...view } = told?.cmd === 'lockout' ? told : { cmd: 'lockout', vin: c.vin, active: false, features: [], until: null };
      expect(c.lockout, `lockout shown on case ${c.id}`).toEqual(view);
    }

    // the operator feed converges to the store: the last message about each case and session is the stored record
    const lastCase = new Map<string, Case>();
    const lastSession = new Map<string, VoiceSession>();
    for (const m of feed) {
      if (m.type === 'session.updated') lastSession.set(m.session.id, m.session);
      else if (m.type !== 'lockout.updated') lastCase.set(m.case.id, m.case);
    }
    for (const c of all) {
      expect(lastCase.get(c.id), `feed view of case ${c.id}`).toEqual(c);
      expect(lastSession.get(c.sessionId), `feed view of session ${c.sessionId}`).toEqual(await store.getSession(c.sessionId));
    }

    // D2.5: the car is told muted exactly while a call is not cleared
    for (const c of commands) if (c.body.cmd === 'call.state') expect(c.body.audioMuted).toBe(c.body.state !== 'cleared');

    // contract: one feed sequence, strictly increasing, no gaps, and the store replays it the same
    const seqs = feed.map((m) => m.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    expect((await store.feedSince(0))?.map((m) => m.seq)).toEqual(seqs);
  }

  /** Coverage counters, printed with DOMAIN_PROP_STATS=1 to see that histories reach the interesting states. */
  tally(label: string, runs: number, commands: { body: CommandBody }[]): void {
    if (!process.env.DOMAIN_PROP_STATS) return;
    const g = globalThis as unknown as { __domainStats?: Record<string, Record<string, number>> };
    const st = ((g.__domainStats ??= {})[label] ??= {});
    const add = (k: string, n = 1) => (st[k] = (st[k] ?? 0) + n);
    add('runs');
    add('cases', this.cases.size);
    add('clears', this.clears.length);
    add('callbacks', [...this.sessions.values()].filter((s) => s.callbacks.length > 0).length);
    add('closed', [...this.cases.values()].filter((c) => c.status === 'closed').length);
    add('wifi', commands.filter((c) => c.body.cmd === 'wifi').length);
    add('notices', commands.filter((c) => c.body.cmd === 'notice').length);
    add('expired', commands.filter((c) => c.body.cmd === 'lockout' && !c.body.active).length);
    if (st.runs === runs) console.log(label, JSON.stringify(st));
  }
}
