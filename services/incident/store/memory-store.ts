import { randomUUID } from 'node:crypto';
import type { Ack, Case, CaseStatus, FeedMessage, RecordedImpact, SecurityAlert, VoiceSession } from '../../../protocol/index.js';
import { emptyVehicle, type CommandRecord, type VehicleAggregate, type VehicleState } from '../domain/state.js';
import { compareQueueOrder, type Commit, type CommitResult, type FeedListener, type FeedSnapshot, type OutboxMessage, type ScheduledLockout, type Store } from './port.js';

export interface MemoryStoreOptions {
  /** How many feed messages are kept for `since` resumes. */
  feedHistory?: number;
  /** How many commands are kept per car. */
  commandsPerVehicle?: number;
}

/**
 * The embedded default. Single-threaded JavaScript makes each commit atomic; structuredClone at the
 * boundary keeps callers from mutating stored records behind the store's back.
 */
export class MemoryStore implements Store {
  readonly kind = 'memory';
  /** A process-lifetime history: a restart starts a new one. */
  private readonly epoch = randomUUID();
  private vehicles = new Map<string, VehicleState>();
  private cases = new Map<string, Case>();
  private openByVin = new Map<string, Set<string>>();
  private sessions = new Map<string, VoiceSession>();
  private seen = new Set<string>();
  private alerts = new Map<string, SecurityAlert[]>();
  private impacts = new Map<string, RecordedImpact[]>();
  private commands = new Map<string, CommandRecord[]>();
  private feed: FeedMessage[] = [];
  /** Insertion order is commit order: a replaced key moves to the end. */
  private outbox = new Map<string, OutboxMessage>();
  private seq = 0;
  private listeners = new Set<FeedListener>();
  private readonly feedHistory: number;
  private readonly commandsPerVehicle: number;

  constructor(options: MemoryStoreOptions = {}) {
    this.feedHistory = options.feedHistory ?? 10_000;
    this.commandsPerVehicle = options.commandsPerVehicle ?? 200;
  }

  async loadVehicle(vin: string): Promise<VehicleAggregate> {
    const vehicle = structuredClone(this.vehicles.get(vin) ?? emptyVehicle(vin));
    const cases = [...(this.openByVin.get(vin) ?? [])].map((id) => structuredClone(this.cases.get(id)!));
    const sessions = cases.map((c) => this.sessions.get(c.sessionId)).filter((s) => s !== undefined).map((s) => structuredClone(s));
    return { vehicle, cases, sessions };
  }

  async commit(change: Commit): Promise<CommitResult> {
    const current = this.vehicles.get(change.vin)?.version ?? 0;
    if (change.eventId !== undefined && this.seen.has(seenKey(change.vin, change.eventId))) return { status: 'duplicate' };
    if (current !== change.expectedVersion) return { status: 'conflict' };

    if (change.eventId !== undefined) this.seen.add(seenKey(change.vin, change.eventId));
    this.vehicles.set(change.vin, { ...structuredClone(change.vehicle), version: current + 1 });
    for (const c of change.cases) this.putCase(structuredClone(c));
    for (const s of change.sessions) this.sessions.set(s.id, structuredClone(s));
    append(this.alerts, change.vin, change.alerts);
    append(this.impacts, change.vin, change.impacts);
    append(this.commands, change.vin, change.commands, this.commandsPerVehicle);
    for (const m of change.outbox ?? []) {
      this.outbox.delete(m.key);
      this.outbox.set(m.key, { ...m });
    }

    const stamped = change.feed.map((draft) => ({ ...structuredClone(draft), seq: ++this.seq }) as FeedMessage);
    this.feed.push(...stamped);
    if (this.feed.length > this.feedHistory) this.feed.splice(0, this.feed.length - this.feedHistory);
    for (const message of stamped) for (const listener of this.listeners) listener(message);
    return { status: 'ok', feed: stamped };
  }

  async hasSeenEvent(vin: string, eventId: string): Promise<boolean> {
    return this.seen.has(seenKey(vin, eventId));
  }

  async getCase(id: string): Promise<Case | null> {
    const c = this.cases.get(id);
    return c ? structuredClone(c) : null;
  }

  async listCases(status: CaseStatus): Promise<Case[]> {
    const list = [...this.cases.values()].filter((c) => c.status === status).map((c) => structuredClone(c));
    return status === 'open' ? list.sort(compareQueueOrder) : list.sort((a, b) => (b.closedAt ?? '').localeCompare(a.closedAt ?? ''));
  }

  async getSession(id: string): Promise<VoiceSession | null> {
    const s = this.sessions.get(id);
    return s ? structuredClone(s) : null;
  }

  async listAlerts(vin: string): Promise<SecurityAlert[]> {
    return structuredClone(this.alerts.get(vin) ?? []);
  }

  async listImpacts(vin: string): Promise<RecordedImpact[]> {
    return structuredClone(this.impacts.get(vin) ?? []);
  }

  async listCommands(vin: string): Promise<CommandRecord[]> {
    return structuredClone(this.commands.get(vin) ?? []);
  }

  async recordAck(vin: string, ack: Ack, at: string): Promise<'ok' | 'unknown'> {
    const record = this.commands.get(vin)?.find((c) => c.commandId === ack.commandId);
    if (!record) return 'unknown';
    record.ack = { ok: ack.ok, at, ...(ack.error !== undefined ? { error: ack.error } : {}) };
    return 'ok';
  }

  async feedSnapshot(): Promise<FeedSnapshot> {
    return { seq: this.seq, cases: await this.listCases('open'), epoch: this.epoch };
  }

  async feedEpoch(): Promise<string> {
    return this.epoch;
  }

  async feedSince(seq: number): Promise<FeedMessage[] | null> {
    if (seq > this.seq) return null;
    const oldest = this.feed[0]?.seq ?? this.seq + 1;
    if (seq < oldest - 1) return null;
    return structuredClone(this.feed.filter((m) => m.seq > seq));
  }

  onFeed(listener: FeedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async scheduledLockouts(): Promise<ScheduledLockout[]> {
    const out: ScheduledLockout[] = [];
    for (const v of this.vehicles.values()) if (v.lockout.until !== null) out.push({ vin: v.vin, until: v.lockout.until });
    return out;
  }

  async outboxPending(olderThan: number, limit: number): Promise<OutboxMessage[]> {
    const out: OutboxMessage[] = [];
    for (const m of this.outbox.values()) {
      if (out.length >= limit) break;
      if (m.at <= olderThan) out.push({ ...m });
    }
    return out;
  }

  async outboxDone(sent: Pick<OutboxMessage, 'key' | 'id'>[]): Promise<void> {
    for (const { key, id } of sent) if (this.outbox.get(key)?.id === id) this.outbox.delete(key);
  }

  /** One process, one instance: always this one. */
  async claim(_name: string, _ttlMs: number): Promise<boolean> {
    return true;
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    this.listeners.clear();
  }

  private putCase(c: Case): void {
    this.cases.set(c.id, c);
    let open = this.openByVin.get(c.vin);
    if (!open) this.openByVin.set(c.vin, (open = new Set()));
    if (c.status === 'open') open.add(c.id);
    else open.delete(c.id);
  }
}

function seenKey(vin: string, eventId: string): string {
  return `${vin}/${eventId}`;
}

function append<T>(map: Map<string, T[]>, vin: string, items: T[], keep = Infinity): void {
  if (items.length === 0) return;
  const list = map.get(vin) ?? [];
  list.push(...structuredClone(items));
  if (list.length > keep) list.splice(0, list.length - keep);
  map.set(vin, list);
}
