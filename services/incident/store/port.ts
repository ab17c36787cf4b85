import { compareQueueOrder, type Ack, type Case, type CaseStatus, type FeedDraft, FeedMessage, RecordedImpact, SecurityAlert, VoiceSession } from '../../../protocol/index.js';
import type { AuditEntry } from '../../../protocol/index.js';
import type { KnownPositions } from '../domain/positions.js';
import type { CommandRecord, VehicleAggregate, VehicleState } from '../domain/state.js';
import type { AuditStore } from './audit-port.js';
import type { ContactTokenStore } from './contacts-port.js';
import type { IdentityStore } from './identity-port.js';
import type { PositionStore } from './positions-port.js';
import type { ServiceCarStore } from './service-car-port.js';

/**
 * One atomic change to one car. The store applies all of it or none: it fails with `conflict` when the
 * car's version moved since it was read (another instance or request got there first: read again and
 * decide again), and with `duplicate` when `eventId` was seen for this car before (contract: at least
 * once delivery, processed once). Feed drafts are stamped with the next `seq` in the same step, so the
 * feed order is the commit order.
 */
export interface Commit {
  vin: string;
  expectedVersion: number;
  eventId?: string;
  /** Stored with `version = expectedVersion + 1`. */
  vehicle: VehicleState;
  cases: Case[];
  sessions: VoiceSession[];
  alerts: SecurityAlert[];
  impacts: RecordedImpact[];
  commands: CommandRecord[];
  feed: FeedDraft[];
  /** Messages to publish once committed (commands, lockout, partner alarms): kept until confirmed sent. */
  outbox?: OutboxMessage[];
  /** Issue 11: audit entries of this change (an operator's action, a remote operation), kept with it or not at all. */
  audit?: AuditEntry[];
}

/**
 * A message a commit owes the broker (issue 9, "commands after a commit"). It is stored in the same
 * commit as the change that caused it and deleted once the broker confirmed it, so a crash or a Redis
 * timeout between commit and publish cannot lose it: the outbox is read at start and on a timer.
 * `key` names what the message is about; a newer commit's message under the same key replaces an
 * older one still pending (a car's retained lockout: only the latest state is worth sending).
 */
export interface OutboxMessage {
  key: string;
  /** Unique per key (the committing vehicle version); `outboxDone` removes only this version. */
  id: string;
  topic: string;
  payload: string;
  qos: 0 | 1;
  retain: boolean;
  /** Clock time of the commit. */
  at: number;
}

export type CommitResult =
  | { status: 'ok'; feed: FeedMessage[] }
  | { status: 'duplicate' }
  | { status: 'conflict' };

export interface FeedSnapshot {
  seq: number;
  cases: Case[];
  /** The feed history's name (see SnapshotMessage.epoch): new whenever the history starts again. */
  epoch: string;
}

export type FeedListener = (message: FeedMessage) => void;

/**
 * What an event's decision reads (`Store.readEvent`): nothing more when the car sent this event before;
 * else the car and, where the store's positions are shared (`positionsShared`), what every instance
 * saved of its positions (null on a store only this process reads: the tracker's own are all there is).
 */
export type EventRead = { seen: true } | { seen: false; aggregate: VehicleAggregate; positions: KnownPositions | null };

/** A car whose lockout has an end time, for the expiry timers (D3.5). */
export interface ScheduledLockout {
  vin: string;
  until: number;
}

/**
 * The store port (STYLE 8): the memory adapter is the embedded default; Redis follows the same suite.
 * The audit log and identity records (audit-port.ts, identity-port.ts) are part of it: an audit entry
 * is committed in the same atomic step as the change it records.
 */
export interface Store extends AuditStore, IdentityStore, PositionStore, ServiceCarStore, ContactTokenStore {
  readonly kind: string;
  loadVehicle(vin: string): Promise<VehicleAggregate>;
  commit(change: Commit): Promise<CommitResult>;
  /**
   * Issue 12 (p50 in the Mosquitto mode): whether the event was processed, `loadVehicle` and `loadPositions` for one event, read
   * together (one round trip on Redis; the three in turn were three). A read, not a claim: `commit` checks again.
   */
  readEvent(vin: string, eventId: string): Promise<EventRead>;

  getCase(id: string): Promise<Case | null>;
  /** Open cases in queue order (priority, then age); closed ones newest first. */
  listCases(status: CaseStatus): Promise<Case[]>;
  getSession(id: string): Promise<VoiceSession | null>;
  listAlerts(vin: string): Promise<SecurityAlert[]>;
  listImpacts(vin: string): Promise<RecordedImpact[]>;
  listCommands(vin: string): Promise<CommandRecord[]>;
  /** Records the car's answer; `unknown` when no such command was sent to this car. */
  recordAck(vin: string, ack: Ack, at: string): Promise<'ok' | 'unknown'>;

  /** Open cases and the seq they are current at, read together. */
  feedSnapshot(): Promise<FeedSnapshot>;
  /** The current feed history's name; changes when the store starts a new history. */
  feedEpoch(): Promise<string>;
  /** Messages after `seq`, in order; null when `seq` is older than the kept history. */
  feedSince(seq: number): Promise<FeedMessage[] | null>;
  /** Every message committed from now on, by any instance sharing this store, in seq order. */
  onFeed(listener: FeedListener): () => void;

  scheduledLockouts(): Promise<ScheduledLockout[]>;
  /** Outbox messages committed at or before `olderThan` and not yet confirmed sent, oldest first. */
  outboxPending(olderThan: number, limit: number): Promise<OutboxMessage[]>;
  /** Confirms messages sent; one that a newer commit replaced under the same key stays pending. */
  outboxDone(sent: Pick<OutboxMessage, 'key' | 'id'>[]): Promise<void>;
  /**
   * Claims a piece of one-off work for this instance for `ttlMs` (a lease): true for the one instance
   * that should do it, false for the others sharing the store until the lease runs out.
   */
  claim(name: string, ttlMs: number): Promise<boolean>;
  /** Throws when the store is unreachable (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export { compareQueueOrder };
export type { AuditStore, AuditStoreQuery } from './audit-port.js';
export type { AccountRecord, IdentityStore, TokenRecord, VehicleCredentialRecord } from './identity-port.js';
export type { PositionStore, PositionUpdate } from './positions-port.js';
export type { ContactTokenEntry, ContactTokenStore } from './contacts-port.js';
export type { ServiceCarFix, ServiceCarStore } from './service-car-port.js';

/**
 * The store could not be reached or did not answer in time (a Redis connection error or command
 * timeout): an outage, not a fault of the request or the data. The outcome of a write is unknown (it
 * may have run). Ingest holds the message and tries again (ingest/runner.ts); HTTP answers 503
 * `unavailable` with Retry-After. Adapters throw it; a caller may also find an outage by `ping()`.
 */
export class StoreUnavailable extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailable';
  }
}
