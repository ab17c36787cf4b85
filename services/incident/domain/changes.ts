import {
  isoTime,
  type Case,
  type CommandBody,
  type EscalatedFeedDraft,
  type FeedDraft,
  type LockoutView,
  type RecordedImpact,
  type SecurityAlert,
  type VoiceSession,
} from '../../../protocol/index.js';
import { sameView, storedLockoutView } from './lockout.js';
import type { DecideContext, Decision, LockoutState, VehicleAggregate, VehicleState } from './state.js';
import { cloneData } from '../../../lib/clone.js';

type FeedEntry = { type: 'case.opened' | 'case.updated' | 'case.closed'; id: string } | { type: 'session.updated'; id: string };

/**
 * Collects what one decision changes, on copies of the aggregate, and turns it into a Decision:
 * keeps every open case's `lockout` current, mirrors a changed lockout to the car (and Wi-Fi, D3.2),
 * and lists feed messages in the order things happened, each record at its final state.
 */
export class Changes {
  readonly now: number;
  readonly at: string;
  vehicle: VehicleState;
  private readonly cases: Map<string, Case>;
  private readonly sessions: Map<string, VoiceSession>;
  private readonly touchedCases = new Set<string>();
  private readonly touchedSessions = new Set<string>();
  private readonly entries: FeedEntry[] = [];
  private readonly viewBefore: LockoutView;
  private readonly vehicleBefore: string;
  private readonly commands: CommandBody[] = [];
  /** Feed messages that are not a record's new state (`case.escalated`), sent after those. */
  private readonly extra: FeedDraft[] = [];
  readonly alerts: SecurityAlert[] = [];
  readonly impacts: RecordedImpact[] = [];
  readonly partnerAlarms: SecurityAlert[] = [];

  constructor(
    aggregate: VehicleAggregate,
    readonly ctx: DecideContext,
  ) {
    this.now = ctx.now;
    this.at = isoTime(ctx.now);
    this.vehicle = cloneData(aggregate.vehicle);
    this.cases = new Map(aggregate.cases.map((c) => [c.id, cloneData(c)]));
    this.sessions = new Map(aggregate.sessions.map((s) => [s.id, cloneData(s)]));
    this.viewBefore = this.view();
    this.vehicleBefore = JSON.stringify(aggregate.vehicle);
  }

  view(): LockoutView {
    return storedLockoutView(this.vehicle.vin, this.vehicle.lockout);
  }

  case(id: string): Case | undefined {
    return this.cases.get(id);
  }

  session(id: string): VoiceSession | undefined {
    return this.sessions.get(id);
  }

  /** Calls not yet cleared (ringing or connected), oldest first. */
  liveSessions(): VoiceSession[] {
    return [...this.sessions.values()].filter((s) => s.state !== 'cleared').sort((a, b) => a.openedAt.localeCompare(b.openedAt));
  }

  openCase(c: Case, s: VoiceSession): void {
    this.cases.set(c.id, c);
    this.sessions.set(s.id, s);
    this.putCase(c, 'case.opened');
    this.putSession(s);
  }

  putCase(c: Case, type: 'case.opened' | 'case.updated' | 'case.closed' = 'case.updated'): void {
    this.cases.set(c.id, c);
    this.touchedCases.add(c.id);
    this.entries.push({ type, id: c.id });
  }

  putSession(s: VoiceSession): void {
    this.sessions.set(s.id, s);
    this.touchedSessions.add(s.id);
    this.entries.push({ type: 'session.updated', id: s.id });
  }

  setLockout(lockout: LockoutState): void {
    this.vehicle = { ...this.vehicle, lockout };
  }

  /** A feed message beyond the records' new states (contract "Answer targets": `case.escalated`). */
  extraFeed(draft: EscalatedFeedDraft): void {
    this.extra.push(draft);
  }

  command(body: CommandBody): void {
    this.commands.push(body);
  }

  finish(outcome: string): Decision {
    const view = this.view();
    const lockoutChanged = !sameView(this.viewBefore, view);
    const feed: FeedDraft[] = [];
    if (lockoutChanged) {
      this.command({ cmd: 'lockout', ...view });
      this.mirrorWifi(view);
      for (const c of this.cases.values()) {
        if (c.status !== 'open') continue;
        c.lockout = view;
        if (!this.touchedCases.has(c.id)) this.putCase(c);
      }
      feed.push({ type: 'lockout.updated', at: this.at, lockout: view });
    }
    const seen = new Set<string>();
    const ordered: FeedDraft[] = [];
    for (const e of this.entries) {
      const key = e.type.startsWith('case.') ? `case:${e.id}` : `session:${e.id}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (e.type === 'session.updated') ordered.push({ type: e.type, at: this.at, session: this.sessions.get(e.id)! });
      else ordered.push({ type: this.finalCaseType(e.id, e.type), at: this.at, case: this.cases.get(e.id)! });
    }
    return {
      vehicle: this.vehicle,
      cases: [...this.touchedCases].map((id) => this.cases.get(id)!),
      sessions: [...this.touchedSessions].map((id) => this.sessions.get(id)!),
      alerts: this.alerts,
      impacts: this.impacts,
      commands: this.commands,
      vehicleChanged: JSON.stringify(this.vehicle) !== this.vehicleBefore,
      lockoutChanged,
      partnerAlarms: this.partnerAlarms,
      feed: [...ordered, ...feed, ...this.extra],
      outcome,
    };
  }

  /** A case opened and updated in one decision is announced once, as opened; a closed one as closed. */
  private finalCaseType(id: string, first: FeedEntry['type']): 'case.opened' | 'case.updated' | 'case.closed' {
    if (first === 'case.opened') return 'case.opened';
    return this.cases.get(id)!.status === 'closed' ? 'case.closed' : 'case.updated';
  }

  /** D3.2: Wi-Fi off while a `wifi` lockout holds; back to the owner's setting when it ends. */
  private mirrorWifi(view: LockoutView): void {
    const before = this.viewBefore.features.includes('wifi');
    const after = view.features.includes('wifi');
    if (!before && after) this.command({ cmd: 'wifi', enabled: false, ...(view.until ? { until: view.until } : {}) });
    if (before && !after) this.command({ cmd: 'wifi', enabled: this.vehicle.wifiEnabled });
  }
}

/** A decision that changes nothing (the pipeline skips the commit). */
export function isNoop(d: Decision): boolean {
  return !d.vehicleChanged && d.cases.length + d.sessions.length + d.alerts.length + d.impacts.length + d.commands.length + d.feed.length === 0;
}
