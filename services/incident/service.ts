import type { Logger } from 'pino';
import {
  isoTime,
  topics,
  type Case,
  type CaseStatus,
  type CaseWithSession,
  type CommandRecord,
  type LockoutView,
  type OperatorAudit,
  type RecordedImpact,
  type RemoteOperation,
  type SecurityAlert,
  type VoiceSession,
} from '../../protocol/index.js';
import type { Clock } from '../../lib/clock/index.js';
import type { Config } from '../config.js';
import { IncidentCore, type Outbound, type OutboxDraft } from './core.js';
import {
  decideExpiry,
  decideOperatorAction,
  decideRemoteOperation,
  decideWifi,
  isRefusal,
  lockoutView,
  type DecideContext,
  type Decision,
  type OperatorAction,
  type Refusal,
  type VehicleAggregate,
} from './domain/index.js';
import { DomainError, UNAVAILABLE_RETRY_AFTER_SECONDS } from './domain-errors.js';
import { feedLimits } from './feed/backpressure.js';
import { FeedHub } from './feed/feed-hub.js';
import { createIngest } from './ingest/index.js';
import { LockoutScheduler } from './lockout-scheduler.js';
import { Metrics } from './metrics.js';
import { OutboxRelay } from './outbox-relay.js';
import { StoreUnavailable, type Store } from './store/port.js';

export interface IncidentServiceDeps {
  store: Store;
  clock: Clock;
  config: Config;
  outbound: Outbound;
  logger: Logger;
  newId: () => string;
}

/**
 * The incident service without its transports: what HTTP routes, the feed socket and MQTT ingest call.
 * It is the one front door to the store: a method returns a domain result or throws a DomainError
 * (domain-errors.ts): a rule's refusal, `case_not_found` / `session_not_found`, `busy` after the
 * retries of a conflicting commit, `unavailable` when the store cannot be reached. HTTP maps those in
 * one place (plugins/errors.ts); replay records their codes.
 */
export class IncidentService {
  readonly metrics = new Metrics();
  readonly core: IncidentCore;
  readonly scheduler: LockoutScheduler;
  readonly relay: OutboxRelay;
  readonly feed: FeedHub;
  readonly ingest: ReturnType<typeof createIngest>;
  private readonly store: Store;
  readonly clock: Clock;
  readonly config: Config;
  private readonly unsubscribe: () => void;

  constructor(private readonly deps: IncidentServiceDeps) {
    const { store, clock, config, logger } = deps;
    this.store = store;
    this.clock = clock;
    this.config = config;
    this.scheduler = new LockoutScheduler(clock, store, (vin) => this.expireLockout(vin), logger);
    this.relay = new OutboxRelay({ store, outbound: deps.outbound, clock, logger, metrics: this.metrics, retryMs: config.OUTBOX_RETRY_MS });
    this.core = new IncidentCore({ ...deps, relay: this.relay, metrics: this.metrics, onLockoutScheduled: (vin, until) => this.scheduler.arm(vin, until) });
    this.feed = new FeedHub(store, clock, this.metrics, feedLimits(config));
    // Lockouts committed by other instances sharing the store are armed here too (D3.5).
    this.unsubscribe = store.onFeed((m) => {
      if (m.type === 'lockout.updated' && m.lockout.until) this.scheduler.arm(m.lockout.vin, Date.parse(m.lockout.until));
    });
    this.ingest = createIngest({ config, core: this.core, logger });
  }

  /**
   * Re-arms lockout timers from the store (expiries that fell due while down fire at once) and sends
   * what earlier runs committed but never saw confirmed (the outbox).
   */
  async start(): Promise<void> {
    const armed = await this.scheduler.start();
    const resent = await this.relay.start();
    this.deps.logger.info({ armed, outboxResent: resent }, 'lockout timers armed');
  }

  async stop(): Promise<void> {
    this.unsubscribe();
    this.scheduler.stop();
    await this.relay.stop();
    this.feed.close();
  }

  /** An operator works a case (D2); refused by the rules with their code (case_taken, call_active, ...). */
  operatorAction(action: OperatorAction): Promise<Case> {
    return this.answer(async () => {
      const found = await this.store.getCase(action.caseId);
      if (!found) throw caseNotFound(action.caseId);
      const result = await this.core.run(found.vin, (aggregate, ctx) => decideOperatorAction(aggregate, action, ctx), { also: [this.auditMessage(action, found)] });
      if (isRefusal(result)) throw DomainError.refused(result);
      // Without an eventId the store never answers duplicate: this would be a bug, a 500.
      if (result.status === 'duplicate') throw new Error(`operator action on case ${action.caseId}: commit reported a duplicate event`);
      this.deps.logger.info({ caseId: action.caseId, vin: found.vin, operatorId: action.operatorId }, result.decision.outcome);
      const after = await this.store.getCase(action.caseId);
      if (!after) throw caseNotFound(action.caseId);
      return after;
    });
  }

  /** Extension `v1/audit/operator-actions`: lets a trace recorder on any broker see operator actions. */
  private auditMessage(action: OperatorAction, found: Case): OutboxDraft {
    const audit: OperatorAudit = { v: 1, action: action.kind, caseId: found.id, vin: found.vin, eventId: found.eventId, operatorId: action.operatorId, at: isoTime(this.clock.now()) };
    if (action.kind === 'close') Object.assign(audit, { resolution: action.resolution }, action.note ? { note: action.note } : {});
    return { key: `audit:${found.id}`, topic: topics.operatorAudit, payload: JSON.stringify(audit), qos: 1, retain: false };
  }

  async expireLockout(vin: string): Promise<void> {
    const result = await this.core.run(vin, decideExpiry);
    if (!isRefusal(result) && result.status === 'ok') {
      this.metrics.lockoutsExpired.inc();
      this.deps.logger.info({ vin }, result.decision.outcome);
    }
  }

  /** Open cases in queue order, or closed ones newest first (store/policy.ts). */
  listCases(status: CaseStatus): Promise<Case[]> {
    return this.answer(() => this.store.listCases(status));
  }

  caseWithSession(id: string): Promise<CaseWithSession> {
    return this.answer(async () => {
      const c = await this.store.getCase(id);
      if (!c) throw caseNotFound(id);
      return { ...c, session: await this.store.getSession(c.sessionId) };
    });
  }

  session(id: string): Promise<VoiceSession> {
    return this.answer(async () => {
      const s = await this.store.getSession(id);
      if (!s) throw new DomainError('session_not_found', 'no such voice session', { sessionId: id });
      return s;
    });
  }

  /** What the API enforces now (D3.5), even if an expiry timer is late. */
  lockout(vin: string): Promise<LockoutView> {
    return this.answer(async () => {
      const { vehicle } = await this.store.loadVehicle(vin);
      return lockoutView(vin, vehicle.lockout, this.clock.now());
    });
  }

  /** Security alarms, delivered to the partner or suppressed during a lockout (D3.1). */
  securityAlerts(vin: string): Promise<SecurityAlert[]> {
    return this.answer(() => this.store.listAlerts(vin));
  }

  /** Impacts, escalated or recorded below the threshold (D1.2). */
  impacts(vin: string): Promise<RecordedImpact[]> {
    return this.answer(() => this.store.listImpacts(vin));
  }

  /** Commands sent to the car, with its acks. */
  commands(vin: string): Promise<CommandRecord[]> {
    return this.answer(() => this.store.listCommands(vin));
  }

  /** Remote operations are refused during a `remote_operations` lockout (D3.1), else sent to the car. */
  remoteOperation(vin: string, operation: RemoteOperation): Promise<string> {
    return this.vehicleRequest(vin, (aggregate, ctx) => decideRemoteOperation(aggregate, operation, ctx));
  }

  /** Wi-Fi is refused during a `wifi` lockout (D3.2). */
  setWifi(vin: string, enabled: boolean): Promise<string> {
    return this.vehicleRequest(vin, (aggregate, ctx) => decideWifi(aggregate, enabled, ctx));
  }

  /** Runs a request to the car: `locked_out` (with when to try again) when the rules refuse it; the command's id otherwise. */
  private vehicleRequest(vin: string, decide: (aggregate: VehicleAggregate, ctx: DecideContext) => Decision | Refusal): Promise<string> {
    return this.answer(async () => {
      const result = await this.core.run(vin, decide);
      if (isRefusal(result)) throw DomainError.refused(result);
      const sent = result.status === 'ok' ? result.commands.at(-1) : undefined;
      if (!sent) throw new Error(`request to ${vin} committed no command (${result.status})`);
      return sent.commandId;
    });
  }

  /**
   * Every answer of the service passes here: domain errors (BusyError included) go out as they are; a
   * store outage, named by the adapter (StoreUnavailable) or found by a failing ping, becomes
   * `unavailable`; anything else is a fault and stays one (a 500 whose details are only logged).
   */
  private async answer<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (err instanceof DomainError) throw err;
      if (err instanceof StoreUnavailable || (await this.storeDown())) {
        throw new DomainError('unavailable', 'the store is unavailable; try again later', { retryAfterSeconds: UNAVAILABLE_RETRY_AFTER_SECONDS }, { cause: err });
      }
      throw err;
    }
  }

  private async storeDown(): Promise<boolean> {
    try {
      await this.store.ping();
      return false;
    } catch {
      return true;
    }
  }
}

function caseNotFound(caseId: string): DomainError<'case_not_found'> {
  return new DomainError('case_not_found', 'no such case', { caseId });
}
