import { randomUUID } from 'node:crypto';
import type { Ack, AuditEntry, Case, CaseStatus, FeedMessage, RecordedImpact, SecurityAlert, VoiceSession } from '../../../protocol/index.js';
import { SystemClock, type Clock } from '../../../lib/clock/index.js';
import { cloneData } from '../../../lib/clone.js';
import { emptyVehicle, type CommandRecord, type VehicleAggregate, type VehicleState } from '../domain/state.js';
import { ackRecord, compareClosedOrder, compareOpenOrder, inFeedWindow, storePolicy, type StorePolicyOptions } from './policy.js';
import type { AuditStoreQuery } from './audit-port.js';
import { MemoryAuditLog } from './memory-audit.js';
import { MemoryIdentity } from './memory-identity.js';
import { MemoryPositions } from './memory-positions.js';
import { MemoryContactTokens } from './memory-contacts.js';
import type { ContactTokenEntry } from './contacts-port.js';
import { MemoryServiceCars } from './memory-service-cars.js';
import type { ServiceCarFix } from './service-car-port.js';
import type { PositionUpdate } from './positions-port.js';
import type { KnownPositions } from '../domain/positions.js';
import type { Commit, CommitResult, EventRead, FeedListener, FeedSnapshot, OutboxMessage, ScheduledLockout, Store } from './port.js';
import { DelegatedIdentity } from './identity-delegate.js';

export interface MemoryStoreOptions extends StorePolicyOptions {
  /** The clock that dedupe entries expire on (policy.ts `dedupeTtlSeconds`); the system clock by default. */
  clock?: Clock;
  /**
   * Whether several services of this process share the store as instances would share Redis (the
   * domain spec's restarts and racing instances): then positions go through it (positions-port.ts).
   * False by default: a memory store is one service's, and lives no longer than it.
   */
  positionsShared?: boolean;
}

/**
 * The embedded default. Single-threaded JavaScript makes each commit atomic; a copy at the
 * boundary (lib/clone.ts) keeps callers from mutating stored records behind the store's back. What is kept, in which
 * order and for how long is policy.ts, shared with the Redis adapter.
 */
export class MemoryStore extends DelegatedIdentity implements Store {
  readonly kind = 'memory';
  /** A process-lifetime history: a restart starts a new one. */
  private readonly epoch = randomUUID();
  private vehicles = new Map<string, VehicleState>();
  private cases = new Map<string, Case>();
  private openByVin = new Map<string, Set<string>>();
  private sessions = new Map<string, VoiceSession>();
  private readonly seen: SeenEvents;
  private alerts = new Map<string, SecurityAlert[]>();
  private impacts = new Map<string, RecordedImpact[]>();
  private commands = new Map<string, CommandRecord[]>();
  private feed: FeedMessage[] = [];
  private feedStart = 0;
  /** Insertion order is commit order: a replaced key moves to the end. */
  private outbox = new Map<string, OutboxMessage>();
  private seq = 0;
  private listeners = new Set<FeedListener>();
  private readonly clock: Clock;
  private readonly feedHistory: number;
  private readonly commandsPerVehicle: number;
  /** Issue 11: the audit log (a car's entries are appended by its commit) and identity records. */
  private readonly auditLog = new MemoryAuditLog();
  protected readonly identity: MemoryIdentity;

  constructor(options: MemoryStoreOptions = {}) {
    super();
    const policy = storePolicy(options);
    this.feedHistory = policy.feedHistory;
    this.commandsPerVehicle = policy.commandsPerVehicle;
    this.clock = options.clock ?? new SystemClock();
    this.seen = new SeenEvents(policy.dedupeTtlSeconds * 1000);
    this.identity = new MemoryIdentity(this.auditLog, this.clock);
    this.positionsShared = options.positionsShared ?? false;
  }

  /** How many (vin, eventId) pairs are remembered right now: bounded by the dedupe TTL, like Redis keys. */
  get dedupeEntries(): number {
    return this.seen.size;
  }

  async loadVehicle(vin: string): Promise<VehicleAggregate> {
    const vehicle = cloneData(this.vehicles.get(vin) ?? emptyVehicle(vin));
    const cases = [...(this.openByVin.get(vin) ?? [])].map((id) => cloneData(this.cases.get(id)!));
    const sessions = cases.map((c) => this.sessions.get(c.sessionId)).filter((s) => s !== undefined).map((s) => cloneData(s));
    return { vehicle, cases, sessions };
  }

  async commit(change: Commit): Promise<CommitResult> {
    const now = this.clock.now();
    this.seen.prune(now);
    const current = this.vehicles.get(change.vin)?.version ?? 0;
    if (change.eventId !== undefined && this.seen.has(seenKey(change.vin, change.eventId), now)) return { status: 'duplicate' };
    if (current !== change.expectedVersion) return { status: 'conflict' };

    if (change.eventId !== undefined) this.seen.add(seenKey(change.vin, change.eventId), now);
    this.vehicles.set(change.vin, { ...cloneData(change.vehicle), version: current + 1 });
    for (const c of change.cases) this.putCase(cloneData(c));
    for (const s of change.sessions) this.sessions.set(s.id, cloneData(s));
    append(this.alerts, change.vin, change.alerts);
    append(this.impacts, change.vin, change.impacts);
    append(this.commands, change.vin, change.commands, this.commandsPerVehicle);
    for (const m of change.outbox ?? []) {
      this.outbox.delete(m.key);
      this.outbox.set(m.key, { ...m });
    }
    if (change.audit) this.auditLog.append(change.audit);

    const stamped = change.feed.map((draft) => ({ ...cloneData(draft), seq: ++this.seq }) as FeedMessage);
    this.feed.push(...stamped);
    // The window is feed[feedStart..]; the head is cut off in one copy once it is an eighth of the
    // window: 8 moves a message and at most an eighth more kept (a splice at the head every commit moved
    // all 10,000 messages: 43 µs a commit).
    this.feedStart = Math.max(this.feedStart, this.feed.length - this.feedHistory);
    if (this.feedStart >= Math.ceil(this.feedHistory / 8)) {
      this.feed = this.feed.slice(this.feedStart);
      this.feedStart = 0;
    }
    for (const message of stamped) for (const listener of this.listeners) listener(message);
    return { status: 'ok', feed: stamped };
  }

  async readEvent(vin: string, eventId: string): Promise<EventRead> {
    if (this.seen.has(seenKey(vin, eventId), this.clock.now())) return { seen: true };
    const aggregate = await this.loadVehicle(vin);
    return { seen: false, aggregate, positions: this.positionsShared ? await this.loadPositions(vin) : null };
  }

  async getCase(id: string): Promise<Case | null> {
    const c = this.cases.get(id);
    return c ? cloneData(c) : null;
  }

  async listCases(status: CaseStatus): Promise<Case[]> {
    const list = [...this.cases.values()].filter((c) => c.status === status).map((c) => cloneData(c));
    return list.sort(status === 'open' ? compareOpenOrder : compareClosedOrder);
  }

  async getSession(id: string): Promise<VoiceSession | null> {
    const s = this.sessions.get(id);
    return s ? cloneData(s) : null;
  }

  async listAlerts(vin: string): Promise<SecurityAlert[]> {
    return cloneData(this.alerts.get(vin) ?? []);
  }

  async listImpacts(vin: string): Promise<RecordedImpact[]> {
    return cloneData(this.impacts.get(vin) ?? []);
  }

  async listCommands(vin: string): Promise<CommandRecord[]> {
    return cloneData(this.commands.get(vin) ?? []);
  }

  async recordAck(vin: string, ack: Ack, at: string): Promise<'ok' | 'unknown'> {
    const record = this.commands.get(vin)?.find((c) => c.commandId === ack.commandId);
    if (!record) return 'unknown';
    record.ack = ackRecord(ack, at);
    return 'ok';
  }

  async feedSnapshot(): Promise<FeedSnapshot> {
    return { seq: this.seq, cases: await this.listCases('open'), epoch: this.epoch };
  }

  async feedEpoch(): Promise<string> {
    return this.epoch;
  }

  async feedSince(seq: number): Promise<FeedMessage[] | null> {
    if (!inFeedWindow(seq, this.seq, this.feedHistory)) return null;
    return cloneData(this.feed.slice(this.feedStart).filter((m) => m.seq > seq));
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
    this.identity.close();
  }

  // Issue 11: audit (memory-audit.ts) and identity (memory-identity.ts); same contract suite as Redis.

  async appendAudit(entries: AuditEntry[]): Promise<void> {
    this.auditLog.append(entries);
  }

  async listAudit(query: AuditStoreQuery): Promise<AuditEntry[] | null> {
    return this.auditLog.list(query);
  }

  // Issue 12: last known positions, saved in batches by ingest (positions-port.ts, memory-positions.ts).
  private readonly positions = new MemoryPositions();
  readonly positionsShared: boolean;

  async savePositions(updates: PositionUpdate[]): Promise<void> {
    this.positions.save(updates, this.clock.now());
  }

  async loadPositions(vin: string): Promise<KnownPositions | null> {
    return this.positions.load(vin, this.clock.now());
  }

  // Issue 12 part 6 (D4.6): tracking tokens and service cars' newest fixes (service-car-port.ts).
  private readonly serviceCars = new MemoryServiceCars();

  async putTrackToken(token: string, caseId: string): Promise<void> {
    this.serviceCars.putToken(token, caseId, this.clock.now());
  }

  async findTrackToken(token: string): Promise<string | null> {
    return this.serviceCars.findToken(token, this.clock.now());
  }

  async saveServiceCarFixes(fixes: ServiceCarFix[]): Promise<void> {
    this.serviceCars.save(fixes, this.clock.now());
  }

  async loadServiceCarFix(id: string): Promise<ServiceCarFix | null> {
    return this.serviceCars.load(id, this.clock.now());
  }

  // Issue 12 part 5 (D4.5): the contact-confirmation token index (contacts-port.ts, memory-contacts.ts).
  private contactTokensInMemory?: MemoryContactTokens;

  private get contactTokens(): MemoryContactTokens {
    return (this.contactTokensInMemory ??= new MemoryContactTokens(this.clock));
  }

  putContactTokens(entries: ContactTokenEntry[], ttlMs: number): Promise<void> {
    return this.contactTokens.putContactTokens(entries, ttlMs);
  }

  findContactToken(tokenHash: string): Promise<string | null> {
    return this.contactTokens.findContactToken(tokenHash);
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

/**
 * The dedupe memory, bounded in time like the Redis adapter's keys with a TTL: an entry is remembered
 * for `ttlMs` on the store's clock, then forgotten. Entries are queued in the order they expire (one
 * TTL for all, and commits come in clock order), so pruning on commit only looks at the queue's head.
 */
class SeenEvents {
  private readonly expiresAt = new Map<string, number>();
  private keys: string[] = [];
  private due: number[] = [];
  private head = 0;

  constructor(private readonly ttlMs: number) {}

  get size(): number {
    return this.expiresAt.size;
  }

  has(key: string, now: number): boolean {
    const due = this.expiresAt.get(key);
    return due !== undefined && due > now;
  }

  add(key: string, now: number): void {
    const due = now + this.ttlMs;
    this.expiresAt.set(key, due);
    this.keys.push(key);
    this.due.push(due);
  }

  /** Forgets what expired by `now`. */
  prune(now: number): void {
    while (this.head < this.due.length && this.due[this.head]! <= now) {
      const key = this.keys[this.head]!;
      // A key added again later has a later expiry: only its own entry removes it.
      if (this.expiresAt.get(key) === this.due[this.head]) this.expiresAt.delete(key);
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.due.length) {
      this.keys = this.keys.slice(this.head);
      this.due = this.due.slice(this.head);
      this.head = 0;
    }
  }
}

function append<T>(map: Map<string, T[]>, vin: string, items: T[], keep = Infinity): void {
  if (items.length === 0) return;
  const list = map.get(vin) ?? [];
  list.push(...cloneData(items));
  if (list.length > keep) list.splice(0, list.length - keep);
  map.set(vin, list);
}
