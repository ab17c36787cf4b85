import type { Logger } from 'pino';
import {
  type Case,
  type CaseStatus,
  type CaseWithSession,
  type CommandRecord,
  type AuditActor,
  type AuditEntry,
  type AuditPage,
  type AuditQuery,
  type LockoutFeature,
  type LockoutView,
  type RecordedImpact,
  type RemoteOperation,
  type SecurityAlert,
  type ServiceCarCredentialsIssued,
  type Stats,
  type VoiceSession,
} from '../../protocol/index.js';
import type { Clock } from '../../lib/clock/index.js';
import { ulidFactory } from '../../lib/ids.js';
import { answerTargets, type Config } from '../config.js';
import { readAudit } from '../audit/audit-reader.js';
import { caseActionAudit, stampAudit, vehicleRequestRefused, vehicleRequestSent, type AuditDraft, type VehicleRequestAction } from '../audit/entries.js';
import { operatorTopicMessage } from '../audit/operator-topic.js';
import { IdentityService } from '../identity/identity-service.js';
import { IncidentCore, type Outbound, type OutboxDraft } from './core.js';
import { decideRelease } from './domain/release.js';
import {
  decideExpiry,
  decideOperatorAction,
  decideRemoteOperation,
  decideWifi,
  isRefusal,
  lockoutView,
  type DealerList,
  type DecideContext,
  type Decision,
  type OperatorAction,
  type Refusal,
  type VehicleAggregate,
} from './domain/index.js';
import { DomainError, UNAVAILABLE_RETRY_AFTER_SECONDS } from './domain-errors.js';
import { feedLimits } from './feed/backpressure.js';
import { FeedHub } from './feed/feed-hub.js';
import { createIngest, type IngestOutcome } from './ingest/index.js';
import { ServiceCars, type ServiceCarOutcome } from './service-cars.js';
import { Tracking } from './track.js';
import { issueServiceCarCredential } from './service-car-credentials.js';
import { PositionTracker } from './ingest/positions.js';
import { LockoutScheduler } from './lockout-scheduler.js';
import { AnswerTargets } from './answer-targets.js';
import { DispatchActions } from './dispatch-actions.js';
import { ContactActions } from './contact-actions.js';
import { RelayActions } from './relay-actions.js';
import { computeStats, STATS_WINDOW_HOURS } from './stats.js';
import { DEALERS } from './dealers/index.js';
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
  /** D4.6: draws tracking tokens (track.ts); random unless given (trace recording and replay seed it). */
  newToken?: () => string;
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
  /** Every inbound message: cars' topics through ingest, service cars' positions through `serviceCars` (D4.6). */
  readonly ingest: Ingest;
  /** Issue 12 part 6 (D4.6): service cars' newest positions (service-cars.ts). */
  readonly serviceCars: ServiceCars;
  /** Issue 12 part 6 (D4.6): tracking links and the owner's app message (track.ts). */
  readonly tracking: Tracking;
  readonly positions: PositionTracker;
  /** Issue 12 part 4: escalation of calls ringing past ANSWER_TARGET_S, and answer times. */
  readonly answerTargets: AnswerTargets;
  /** D4.4: the dealer list transport may go to (sample data unless replaced). */
  readonly dealers: DealerList = DEALERS;
  /** Issue 12 parts 4 and 7: dispatches, no response, the registered dealer (dispatch-actions.ts). */
  readonly dispatches: DispatchActions = new DispatchActions(this);
  /** Issue 12 part 5 (D4.5): the owner's contacts and their confirmation (contact-actions.ts). */
  readonly contacts: ContactActions;
  /** Issue 12 part 5 (D4.5): message relay to the contacts (relay-actions.ts). */
  readonly messageRelay: RelayActions;
  private readonly store: Store;
  readonly clock: Clock;
  readonly config: Config;
  /** Issue 11: accounts, logins, tokens, vehicle credentials (services/identity/). */
  readonly identity: IdentityService;
  /** Ids of audit entries written outside a commit (a refused request). */
  private readonly auditIds: () => string;
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
    this.identity = new IdentityService({ store, clock, config, logger });
    this.contacts = new ContactActions(this, store);
    this.messageRelay = new RelayActions(this);
    this.auditIds = ulidFactory(clock);
    this.answerTargets = new AnswerTargets({ clock, store, core: this.core, metrics: this.metrics, logger, targetsS: answerTargets(config) });
    // Lockouts committed by other instances sharing the store are armed here too (D3.5), and so are
    // answer-target timers of their cases (contract "Answer targets").
    this.unsubscribe = store.onFeed((m) => {
      if (m.type === 'lockout.updated' && m.lockout.until) this.scheduler.arm(m.lockout.vin, Date.parse(m.lockout.until));
      else if (m.type !== 'session.updated' && m.type !== 'lockout.updated') this.answerTargets.note(m.case);
    });
    // Issue 12 (D2.1): cars' last known positions from telemetry, shared through the store in batches.
    this.positions = new PositionTracker({ store, clock, config, logger });
    const vehicles = createIngest({ config, core: this.core, logger, positions: this.positions });
    this.serviceCars = new ServiceCars({ store, clock, config, core: this.core, metrics: this.metrics, logger });
    const ingest = (topic: string, payload: Buffer) => (topic.startsWith(SERVICE_CAR_TOPIC_START) ? this.serviceCars.ingest(topic, payload) : vehicles(topic, payload));
    this.ingest = ingest as Ingest;
    this.tracking = new Tracking({ store, config, serviceCars: this.serviceCars, ...(deps.newToken ? { newToken: deps.newToken } : {}) });
  }

  /**
   * Re-arms lockout timers from the store (expiries that fell due while down fire at once) and sends
   * what earlier runs committed but never saw confirmed (the outbox).
   */
  async start(): Promise<void> {
    const armed = await this.scheduler.start();
    await this.answerTargets.start();
    const resent = await this.relay.start();
    await this.identity.start();
    await this.positions.start();
    this.deps.logger.info({ armed, outboxResent: resent }, 'lockout timers armed');
  }

  async stop(): Promise<void> {
    this.unsubscribe();
    this.scheduler.stop();
    this.answerTargets.stop();
    await this.relay.stop();
    await this.positions.stop();
    await this.serviceCars.stop();
    this.feed.close();
  }

  /**
   * An operator works a case (D2); refused by the rules with their code (case_taken, call_active, ...).
   * The audit entry (`case.answer`, ...) is committed with the change; `actor` is who acted (issue 11:
   * the operator itself, or the service token acting for it), the operator by default.
   */
  operatorAction(action: OperatorAction, actor: AuditActor = { kind: 'operator', id: action.operatorId }): Promise<Case> {
    return this.answer(async () => {
      const found = await this.store.getCase(action.caseId);
      if (!found) throw caseNotFound(action.caseId);
      const result = await this.core.run(found.vin, (aggregate, ctx) => decideOperatorAction(aggregate, action, ctx), {
        audit: () => [caseActionAudit(action, found, actor)],
        also: (audit) => this.operatorTopic(audit, found),
      });
      if (isRefusal(result)) throw DomainError.refused(result);
      // Without an eventId the store never answers duplicate: this would be a bug, a 500.
      if (result.status === 'duplicate') throw new Error(`operator action on case ${action.caseId}: commit reported a duplicate event`);
      this.deps.logger.info({ caseId: action.caseId, vin: found.vin, operatorId: action.operatorId }, result.decision.outcome);
      const after = await this.store.getCase(action.caseId);
      if (!after) throw caseNotFound(action.caseId);
      if (result.status === 'ok' && found.answeredAt === undefined && after.answeredAt !== undefined) this.answerTargets.observeAnswer(after);
      return after;
    });
  }

  /**
   * Issue 11: the case's operator lets it go, or a supervisor (`mayReleaseOthers`) takes it from the
   * operator who holds it; 403 `forbidden` for an operator releasing another's case. `case.release`
   * is audited with whose case it was. A case nobody holds is returned as it is.
   */
  releaseCase(caseId: string, by: { operatorId: string; actor: AuditActor; mayReleaseOthers: boolean }): Promise<Case> {
    return this.answer(async () => {
      const found = await this.store.getCase(caseId);
      if (!found) throw caseNotFound(caseId);
      if (found.operatorId !== undefined && found.operatorId !== by.operatorId && !by.mayReleaseOthers) {
        throw new DomainError('forbidden', `operator ${found.operatorId} has this case: only a supervisor may release it`, { required: 'supervisor' });
      }
      const result = await this.core.run(found.vin, (aggregate, ctx) => decideRelease(aggregate, { caseId, by: by.operatorId, mayReleaseOthers: by.mayReleaseOthers }, ctx), {
        audit: ({ decision }) => {
          const before = decision.cases.length > 0 ? found.operatorId : undefined;
          return [caseActionAudit({ kind: 'release', operatorId: by.operatorId, ...(before !== undefined ? { releasedFrom: before } : {}) }, found, by.actor)];
        },
      });
      if (isRefusal(result)) throw DomainError.refused(result);
      if (result.status === 'ok') this.deps.logger.info({ caseId, vin: found.vin, operatorId: by.operatorId }, result.decision.outcome);
      const after = await this.store.getCase(caseId);
      if (!after) throw caseNotFound(caseId);
      return after;
    });
  }

  /**
   * Issue 12 part 4: a change to a case's car decided by `decide` (a dispatch, no response), with its
   * audit entries in the same commit. `case_not_found` for an unknown id; a rule's refusal is thrown with
   * its code. Returns the case after, and the decision (null when nothing changed: a noop).
   */
  caseChange(
    caseId: string,
    decide: (aggregate: VehicleAggregate, ctx: DecideContext) => Decision | Refusal,
    audit: (decision: Decision, found: Case) => AuditDraft[],
    options: CaseChangeOptions = {},
  ): Promise<{ case: Case; decision: Decision | null }> {
    return this.answer(async () => {
      const found = await this.store.getCase(caseId);
      if (!found) throw caseNotFound(caseId);
      await options.before?.(found);
      // core.run calls `audit` before `also` on every try: `decided` is this try's decision.
      let decided: Decision | null = null;
      const result = await this.core.run(found.vin, decide, {
        audit: ({ decision }) => {
          decided = decision;
          return audit(decision, found);
        },
        also: (entries) => [...this.operatorTopic(entries, found), ...(decided && options.also ? options.also(decided, found) : [])],
      });
      if (isRefusal(result)) throw DomainError.refused(result);
      if (result.status === 'duplicate') throw new Error(`change of case ${caseId}: commit reported a duplicate event`);
      if (result.status === 'ok') this.deps.logger.info({ caseId, vin: found.vin }, result.decision.outcome);
      const after = await this.store.getCase(caseId);
      if (!after) throw caseNotFound(caseId);
      return { case: after, decision: result.status === 'ok' ? result.decision : null };
    });
  }

  /** Issue 12 part 7: a change to one car's own state (its registered dealer), audited in the same commit. */
  vehicleChange(vin: string, decide: (aggregate: VehicleAggregate, ctx: DecideContext) => Decision, audit: () => AuditDraft[]): Promise<void> {
    return this.answer(async () => {
      const result = await this.core.run(vin, decide, { audit });
      if (!isRefusal(result) && result.status === 'ok') this.deps.logger.info({ vin }, result.decision.outcome);
    });
  }

  /**
   * Issue 12 part 5 (D4.5): a change to one car's own state that the rules may refuse (its contacts, a
   * confirmation), with its audit entries and the messages it owes (emails, `also`) in the same commit.
   * A refusal is thrown with its code; returns the decision (that of a noop too).
   */
  vehicleDecision(
    vin: string,
    decide: (aggregate: VehicleAggregate, ctx: DecideContext) => Decision | Refusal,
    audit: (decision: Decision) => AuditDraft[],
    also?: (decision: Decision) => OutboxDraft[],
  ): Promise<Decision> {
    return this.answer(async () => {
      const result = await this.core.run(vin, decide, { audit: ({ decision }) => audit(decision), also: (_entries, decision) => also?.(decision) ?? [] });
      if (isRefusal(result)) throw DomainError.refused(result);
      if (result.status === 'duplicate') throw new Error(`change of vehicle ${vin}: commit reported a duplicate event`);
      if (result.status === 'ok') this.deps.logger.info({ vin }, result.decision.outcome);
      return result.decision;
    });
  }

  /** Contract "Answer targets", `GET /v1/stats` (services/README.md, "Dispatches, no response, answer targets and stats": the window, "on duty"). */
  async stats(): Promise<Stats> {
    const now = this.clock.now();
    const input = await this.statsInput(now - STATS_WINDOW_HOURS * 3_600_000);
    return computeStats({ now, ...input, targetsS: answerTargets(this.config) });
  }

  /** What `GET /v1/stats` reads: open cases with their calls, and closed cases opened at or after `since` (epoch ms). */
  statsInput(since: number): Promise<{ open: Case[]; closed: Case[]; sessions: Map<string, VoiceSession> }> {
    return this.answer(async () => {
      const open = await this.store.listCases('open');
      const closed = (await this.store.listCases('closed')).filter((c) => Date.parse(c.openedAt) >= since);
      const sessions = new Map<string, VoiceSession>();
      for (const c of open) {
        const s = await this.store.getSession(c.sessionId);
        if (s) sessions.set(s.id, s);
      }
      return { open, closed, sessions };
    });
  }

  /** Extension `v1/audit/operator-actions`, fed by the audit: lets a trace recorder on any broker see operator actions. */
  private operatorTopic(audit: AuditEntry[], found: Case): OutboxDraft[] {
    const out: OutboxDraft[] = [];
    for (const entry of audit) {
      const message = operatorTopicMessage(entry, found);
      // One key per message of the commit (the outbox keeps the newest under a key).
      if (message) out.push({ key: out.length === 0 ? `audit:${found.id}` : `audit:${found.id}:${out.length}`, ...message, qos: 1, retain: false });
    }
    return out;
  }

  /** Issue 12 part 6 (D4.6): `PUT /v1/service-cars/{id}/credentials` (service-car-credentials.ts). */
  issueServiceCarCredentials(id: string, actor: AuditActor): Promise<ServiceCarCredentialsIssued> {
    return this.answer(() => issueServiceCarCredential(this.store, id, actor, { id: this.auditIds(), now: this.clock.now() }));
  }

  /** Issue 11, `GET /v1/audit`: newest first, filtered and paged. */
  audit(query: AuditQuery): Promise<AuditPage> {
    return this.answer(() => readAudit(this.store, query));
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

  /** Remote operations are refused during a `remote_operations` lockout (D3.1), else sent to the car; audited either way. */
  remoteOperation(vin: string, operation: RemoteOperation, actor: AuditActor = ANONYMOUS): Promise<string> {
    return this.vehicleRequest(vin, 'vehicle.remote_operation', { operation }, actor, (aggregate, ctx) => decideRemoteOperation(aggregate, operation, ctx));
  }

  /** Wi-Fi is refused during a `wifi` lockout (D3.2); audited either way. */
  setWifi(vin: string, enabled: boolean, actor: AuditActor = ANONYMOUS): Promise<string> {
    return this.vehicleRequest(vin, 'vehicle.wifi', { enabled }, actor, (aggregate, ctx) => decideWifi(aggregate, enabled, ctx));
  }

  /**
   * Runs a request to the car: `locked_out` (with when to try again) when the rules refuse it; the
   * command's id otherwise. Issue 11: a sent request is audited in its commit, with the command that
   * carries it; a refused one changes nothing, so its entry is appended alone (contract: "granted or refused").
   */
  private vehicleRequest(
    vin: string,
    action: VehicleRequestAction,
    request: Record<string, unknown>,
    actor: AuditActor,
    decide: (aggregate: VehicleAggregate, ctx: DecideContext) => Decision | Refusal,
  ): Promise<string> {
    return this.answer(async () => {
      const result = await this.core.run(vin, decide, {
        audit: ({ commands }) => (commands.length > 0 ? [vehicleRequestSent(action, vin, actor, request, commands.at(-1)!.commandId)] : []),
      });
      if (isRefusal(result)) {
        const d = result.details as { feature?: LockoutFeature; until?: string | null };
        const refusal = { code: result.refused, ...(d.feature ? { feature: d.feature } : {}), ...(d.until !== undefined ? { until: d.until } : {}) };
        await this.store.appendAudit([stampAudit(vehicleRequestRefused(action, vin, actor, request, refusal), this.auditIds(), this.clock.now())]);
        throw DomainError.refused(result);
      }
      const sent = result.status === 'ok' ? result.commands.at(-1) : undefined;
      if (!sent) throw new Error(`request to ${vin} committed no command (${result.status})`);
      return sent.commandId;
    });
  }

  /**
   * Every answer of the service passes here: domain errors (BusyError included) go out as they are; a
   * store outage, named by the adapter (StoreUnavailable) or found by a failing ping, becomes
   * `unavailable`; anything else is a fault and stays one (a 500 whose details are only logged).
   * Public for the action classes' own store reads (D4.5: the contact-token index, contact-actions.ts).
   */
  async answer<T>(work: () => Promise<T>): Promise<T> {
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

/** Issue 12 part 6: what a case change also does (a tracking token indexed, an app message in the commit's outbox). */
export interface CaseChangeOptions {
  /** Store work before deciding (after the case is found); its outage answers `unavailable` like the rest. */
  before?: (found: Case) => Promise<void>;
  /** Messages the commit also owes the broker, from this try's decision (sent after the commit, through the outbox). */
  also?: (decision: Decision, found: Case) => OutboxDraft[];
}

/**
 * The service's intake. A topic typed as a service car's gets the service-car outcome; any other string
 * the vehicle ingest's. A service-car topic held in a plain `string` (the broker's intake, trace replay)
 * is typed as the latter: those callers only wait for the promise and never read the outcome.
 */
export interface Ingest {
  (topic: `v1/service-cars/${string}`, payload: Buffer): Promise<ServiceCarOutcome>;
  (topic: string, payload: Buffer): Promise<IngestOutcome>;
}

/** Topics of service cars' position reports (protocol/topics.ts inboundFilters.serviceCarPositions). */
const SERVICE_CAR_TOPIC_START = 'v1/service-cars/';

/** Who the audit names for a request to a car when the caller gives nobody (a test, a tool in-process). */
const ANONYMOUS: AuditActor = { kind: 'service', id: 'anonymous' };

function caseNotFound(caseId: string): DomainError<'case_not_found'> {
  return new DomainError('case_not_found', 'no such case', { caseId });
}
