import type { Logger } from 'pino';
import { isoTime, topics, type Case, type CaseWithSession, type OperatorAudit, type RemoteOperation } from '../../protocol/index.js';
import type { Clock } from '../../lib/clock/index.js';
import type { Config } from '../config.js';
import { IncidentCore, type Outbound, type OutboxDraft } from './core.js';
import {
  decideExpiry,
  decideOperatorAction,
  decideRemoteOperation,
  decideWifi,
  isRejection,
  lockoutView,
  type DecideContext,
  type Decision,
  type OperatorAction,
  type Rejection,
  type VehicleAggregate,
} from './domain/index.js';
import { ApiError } from './errors.js';
import { feedLimits } from './feed/backpressure.js';
import { FeedHub } from './feed/feed-hub.js';
import { createIngest } from './ingest/index.js';
import { LockoutScheduler } from './lockout-scheduler.js';
import { Metrics } from './metrics.js';
import { OutboxRelay } from './outbox-relay.js';
import type { Store } from './store/port.js';

export interface IncidentServiceDeps {
  store: Store;
  clock: Clock;
  config: Config;
  outbound: Outbound;
  logger: Logger;
  newId: () => string;
}

/** The incident service without its transports: what HTTP routes, the feed socket and MQTT ingest call. */
export class IncidentService {
  readonly metrics = new Metrics();
  readonly core: IncidentCore;
  readonly scheduler: LockoutScheduler;
  readonly relay: OutboxRelay;
  readonly feed: FeedHub;
  readonly ingest: ReturnType<typeof createIngest>;
  readonly store: Store;
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

  async operatorAction(action: OperatorAction): Promise<Case> {
    const found = await this.store.getCase(action.caseId);
    if (!found) throw new ApiError('case_not_found');
    const result = await this.core.run(found.vin, (aggregate, ctx) => decideOperatorAction(aggregate, action, ctx), { also: [this.auditMessage(action, found)] });
    if (isRejection(result)) throw new ApiError(result.rejected, result.message, result.details);
    if (result.status === 'duplicate') throw new ApiError('internal');
    this.deps.logger.info({ caseId: action.caseId, vin: found.vin, operatorId: action.operatorId }, result.decision.outcome);
    return (await this.store.getCase(action.caseId))!;
  }

  /** Extension `v1/audit/operator-actions`: lets a trace recorder on any broker see operator actions. */
  private auditMessage(action: OperatorAction, found: Case): OutboxDraft {
    const audit: OperatorAudit = { v: 1, action: action.kind, caseId: found.id, vin: found.vin, eventId: found.eventId, operatorId: action.operatorId, at: isoTime(this.clock.now()) };
    if (action.kind === 'close') Object.assign(audit, { resolution: action.resolution }, action.note ? { note: action.note } : {});
    return { key: `audit:${found.id}`, topic: topics.operatorAudit, payload: JSON.stringify(audit), qos: 1, retain: false };
  }

  async expireLockout(vin: string): Promise<void> {
    const result = await this.core.run(vin, decideExpiry);
    if (!isRejection(result) && result.status === 'ok') {
      this.metrics.lockoutsExpired.inc();
      this.deps.logger.info({ vin }, result.decision.outcome);
    }
  }

  async caseWithSession(id: string): Promise<CaseWithSession> {
    const c = await this.store.getCase(id);
    if (!c) throw new ApiError('case_not_found');
    return { ...c, session: await this.store.getSession(c.sessionId) };
  }

  async lockout(vin: string) {
    const { vehicle } = await this.store.loadVehicle(vin);
    return lockoutView(vin, vehicle.lockout, this.clock.now());
  }

  /** Remote operations are refused during a `remote_operations` lockout (D3.1), else sent to the car. */
  remoteOperation(vin: string, operation: RemoteOperation): Promise<string> {
    return this.vehicleRequest(vin, (aggregate, ctx) => decideRemoteOperation(aggregate, operation, ctx));
  }

  /** Wi-Fi is refused during a `wifi` lockout (D3.2). */
  setWifi(vin: string, enabled: boolean): Promise<string> {
    return this.vehicleRequest(vin, (aggregate, ctx) => decideWifi(aggregate, enabled, ctx));
  }

  /** Runs a request to the car; 423 with Retry-After when the rules refuse it; the command's id otherwise. */
  private async vehicleRequest(vin: string, decide: (aggregate: VehicleAggregate, ctx: DecideContext) => Decision | Rejection): Promise<string> {
    const result = await this.core.run(vin, decide);
    if (isRejection(result)) {
      const { retryAfterSeconds, ...details } = result.details as { retryAfterSeconds: number };
      throw new ApiError('locked_out', result.message, details, { 'retry-after': String(retryAfterSeconds) });
    }
    if (result.status !== 'ok') throw new ApiError('internal');
    return result.commands.at(-1)!.commandId;
  }
}
