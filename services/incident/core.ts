import type { Logger } from 'pino';
import { isoTime, topics, type AuditEntry, type DeadLetter, type DeadLetterReason, type FeedMessage, type LockoutMessage } from '../../protocol/index.js';
import { stampAudit, type AuditDraft } from '../audit/entries.js';
import type { Clock } from '../../lib/clock/index.js';
import { ulidFactory } from '../../lib/ids.js';
import type { Config } from '../config.js';
import { isNoop, isRefusal, type DecideContext, type Decision, type Refusal, type VehicleAggregate } from './domain/index.js';
import { DomainError } from './domain-errors.js';
import { storedLockoutView } from './domain/lockout.js';
import type { CommandRecord } from './domain/state.js';
import type { Metrics } from './metrics.js';
import type { Outbound, OutboxRelay } from './outbox-relay.js';
import type { OutboxMessage, Store } from './store/port.js';

export type { Outbound } from './outbox-relay.js';

export type RunResult =
  | { status: 'ok'; decision: Decision; feed: FeedMessage[]; commands: CommandRecord[] }
  | { status: 'duplicate' }
  | { status: 'noop'; decision: Decision }
  | Refusal;

/** A message a commit should also send, beyond what the decision implies (e.g. an audit line). */
export type OutboxDraft = Pick<OutboxMessage, 'key' | 'topic' | 'payload' | 'qos' | 'retain'>;

export interface RunOptions {
  /** The car's event being processed: the commit records it, and refuses it if seen before. */
  eventId?: string;
  /**
   * The car as the caller already read it (ingest reads it with the dedupe check: `Store.readEvent`):
   * the first try decides on it instead of reading again; a conflict reads afresh.
   */
  loaded?: VehicleAggregate;
  /**
   * Sent after the commit too; `key` gets the commit's version appended, so entries never collide. A
   * function is given this commit's audit entries (the operator-actions topic is made from them), and
   * the decision (D4.5: the emails it owes go to `v1/outbox/email` with the commit).
   */
  also?: OutboxDraft[] | ((audit: AuditEntry[], decision: Decision) => OutboxDraft[]);
  /**
   * Issue 11: the audit entries of this change, from the decision and the commands it stamped. Core
   * gives each its id and the decision's time, and the store commits them with the change, or neither.
   * A refusal or a change of nothing (noop) commits nothing, so records nothing.
   */
  audit?: (done: { decision: Decision; commands: CommandRecord[] }) => AuditDraft[];
}

export interface CoreDeps {
  store: Store;
  clock: Clock;
  config: Config;
  /** Dead letters (not state: nothing to commit) go straight out. */
  outbound: Outbound;
  /** Everything a commit owes the broker goes through the outbox. */
  relay: OutboxRelay;
  metrics: Metrics;
  logger: Logger;
  newId: () => string;
  /** Told of every committed lockout end time, so that its expiry is armed (D3.5). */
  onLockoutScheduled?: (vin: string, until: number) => void;
  /** Ids of audit entries (issue 11): ULIDs on the clock by default, apart from `newId` so that records' ids do not shift. */
  newAuditId?: () => string;
}

/**
 * The car changed concurrently on every try (another instance or request kept winning): not a fault of
 * the data. The domain error `busy` (STYLE 15: retries that end in a coded answer): ingest holds the
 * message and tries again (ingest/runner.ts); HTTP answers 409 `busy`.
 */
export class BusyError extends DomainError<'busy'> {
  constructor(readonly vin: string, readonly attempts: number) {
    super('busy', `vehicle ${vin} changed concurrently ${attempts} times; try again`, { vin, attempts });
    this.name = 'BusyError';
  }
}

/** A conflict means another writer changed the car first; a few retries always suffice in practice. */
const MAX_ATTEMPTS = 8;

/**
 * Shared by ingest, operator actions and lockout expiry: read the car, decide, commit atomically, then
 * tell the car. Commands are recorded in the same commit as the change that caused them.
 */
export class IncidentCore {
  private readonly newAuditId: () => string;

  constructor(readonly deps: CoreDeps) {
    this.newAuditId = deps.newAuditId ?? ulidFactory(deps.clock);
  }

  decideContext(): DecideContext {
    const { clock, config, newId } = this.deps;
    return {
      now: clock.now(),
      newId,
      lockoutMs: config.LOCKOUT_MINUTES * 60_000,
      impactThresholdKmh: config.IMPACT_DELTA_V_KMH,
      // Issue 12 (D4.3, D2.1): severity and position rules.
      doctorHeliThreshold: config.DOCTOR_HELI_THRESHOLD,
      positionCaseUpdateMs: config.POSITION_CASE_UPDATE_SECONDS * 1000,
      positionMinMetres: config.POSITION_MIN_METRES,
    };
  }

  async run(vin: string, decide: (aggregate: VehicleAggregate, ctx: DecideContext) => Decision | Refusal, options: RunOptions = {}): Promise<RunResult> {
    const { eventId } = options;
    for (let attempt = 1; ; attempt++) {
      const aggregate = attempt === 1 && options.loaded ? options.loaded : await this.deps.store.loadVehicle(vin);
      const ctx = this.decideContext();
      const decision = decide(aggregate, ctx);
      if (isRefusal(decision)) return decision;
      if (eventId === undefined && isNoop(decision)) {
        // Nothing changed, so nothing is audited; the operator-actions topic still hears it, as before issue 11.
        this.deps.relay.sendUncommitted(this.alsoFor(options, this.auditFor(options, decision, [], ctx.now), decision));
        return { status: 'noop', decision };
      }
      const commands = this.stampCommands(vin, decision);
      const version = aggregate.vehicle.version + 1;
      const audit = this.auditFor(options, decision, commands, ctx.now);
      const outbox = this.outboxFor(vin, decision, commands, this.alsoFor(options, audit, decision), version);
      const result = await this.deps.store.commit({
        vin,
        expectedVersion: aggregate.vehicle.version,
        ...(eventId !== undefined ? { eventId } : {}),
        vehicle: decision.vehicle,
        cases: decision.cases,
        sessions: decision.sessions,
        alerts: decision.alerts,
        impacts: decision.impacts,
        commands,
        feed: decision.feed,
        outbox,
        ...(audit.length > 0 ? { audit } : {}),
      });
      if (result.status === 'duplicate') return result;
      if (result.status === 'ok') {
        // After the commit: nothing is sent that was not kept, and what was kept is sent (outbox).
        this.deps.relay.send(outbox);
        const until = decision.vehicle.lockout.until;
        if (until !== null && decision.vehicle.lockout.holdingSessionIds.length === 0) this.deps.onLockoutScheduled?.(vin, until);
        return { status: 'ok', decision, feed: result.feed, commands };
      }
      this.deps.metrics.commitConflicts.inc();
      if (attempt >= MAX_ATTEMPTS) throw new BusyError(vin, attempt);
      // Let the writer that won finish its work before reading again (a turn of the event loop, not a
      // clock timer: a virtual clock in tests and replays would never fire it).
      for (let i = 0; i < attempt; i++) await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  private auditFor(options: RunOptions, decision: Decision, commands: CommandRecord[], now: number): AuditEntry[] {
    return (options.audit?.({ decision, commands }) ?? []).map((draft) => stampAudit(draft, this.newAuditId(), now));
  }

  private alsoFor(options: RunOptions, audit: AuditEntry[], decision: Decision): OutboxDraft[] {
    const { also = [] } = options;
    return typeof also === 'function' ? also(audit, decision) : also;
  }

  /** What the car and the partner are told of a decision: commands, the retained lockout, alarms. */
  private outboxFor(vin: string, decision: Decision, commands: CommandRecord[], also: OutboxDraft[], version: number): OutboxMessage[] {
    const at = this.deps.clock.now();
    const id = String(version);
    const out: OutboxMessage[] = commands.map((c) => ({
      key: `cmd:${c.commandId}`,
      id,
      topic: topics.commands(vin),
      payload: JSON.stringify({ v: 1, commandId: c.commandId, ts: c.sentAt, ...c.body }),
      qos: 1,
      retain: false,
      at,
    }));
    if (decision.lockoutChanged) {
      const message: LockoutMessage = { v: 1, ...storedLockoutView(vin, decision.vehicle.lockout) };
      // One key per car: a newer lockout replaces an older one still waiting to be sent.
      out.push({ key: `lockout:${vin}`, id, topic: topics.lockout(vin), payload: JSON.stringify(message), qos: 1, retain: true, at });
    }
    decision.partnerAlarms.forEach((alarm, i) => {
      out.push({ key: `alarm:${vin}:${version}:${i}`, id, topic: topics.partnerAlarm(vin), payload: JSON.stringify(alarm), qos: 1, retain: false, at });
    });
    for (const d of also) out.push({ ...d, key: `${d.key}:${version}`, id, at });
    return out;
  }

  deadLetter(topic: string, payload: Buffer, reason: DeadLetterReason, detail?: string): void {
    // The letter must fit in one MQTT packet: the embedded broker drops a client that sends a larger one,
    // and MQTT.js resends its unacknowledged QoS 1 publish on every reconnect, so an oversized letter
    // would cut the service off for good. Keep as much of the payload as fits, and say so.
    const base = { topic, reason, receivedAt: isoTime(this.deps.clock.now()), ...(detail ? { detail: detail.slice(0, 1024) } : {}) };
    const overhead = Buffer.byteLength(JSON.stringify({ ...base, payload: '' })) + topics.deadLetter.length + 128;
    const room = Math.max(0, Math.floor((this.deps.config.MQTT_MAX_PACKET_BYTES - overhead) / 4) * 3);
    const kept = payload.length > room ? payload.subarray(0, room) : payload;
    const note = kept.length < payload.length ? `payload truncated to its first ${kept.length} of ${payload.length} bytes` : undefined;
    const fullDetail = [base.detail, note].filter(Boolean).join('; ');
    const letter: DeadLetter = { ...base, payload: kept.toString('base64'), ...(fullDetail ? { detail: fullDetail } : {}) };
    this.deps.outbound.publish(topics.deadLetter, JSON.stringify(letter), { qos: 1 });
  }

  private stampCommands(vin: string, decision: Decision): CommandRecord[] {
    const sentAt = isoTime(this.deps.clock.now());
    return decision.commands.map((body) => ({ commandId: this.deps.newId(), vin, cmd: body.cmd, sentAt, body }));
  }
}
