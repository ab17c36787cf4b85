import type { Logger } from 'pino';
import { isoTime, topics, type DeadLetter, type FeedMessage, type LockoutMessage } from '../../protocol/index.js';
import type { Clock } from '../clock/index.js';
import type { Config } from '../config.js';
import { isNoop, isRejection, type DecideContext, type Decision, type Rejection, type VehicleAggregate } from './domain/index.js';
import { storedLockoutView } from './domain/lockout.js';
import type { CommandRecord } from './domain/state.js';
import type { Metrics } from './metrics.js';
import type { Store } from './store/port.js';

/** Where messages to cars and partners go: the service's MQTT connection. */
export interface Outbound {
  publish(topic: string, payload: string, options: { qos: 0 | 1; retain?: boolean }): void;
}

export type RunResult =
  | { status: 'ok'; decision: Decision; feed: FeedMessage[]; commands: CommandRecord[] }
  | { status: 'duplicate' }
  | { status: 'noop'; decision: Decision }
  | Rejection;

export interface CoreDeps {
  store: Store;
  clock: Clock;
  config: Config;
  outbound: Outbound;
  metrics: Metrics;
  logger: Logger;
  newId: () => string;
  /** Told of every committed lockout end time, so that its expiry is armed (D3.5). */
  onLockoutScheduled?: (vin: string, until: number) => void;
}

/** A conflict means another writer changed the car first; a few retries always suffice in practice. */
const MAX_ATTEMPTS = 8;

/**
 * Shared by ingest, operator actions and lockout expiry: read the car, decide, commit atomically, then
 * tell the car. Commands are recorded in the same commit as the change that caused them.
 */
export class IncidentCore {
  constructor(readonly deps: CoreDeps) {}

  decideContext(): DecideContext {
    const { clock, config, newId } = this.deps;
    return { now: clock.now(), newId, lockoutMs: config.LOCKOUT_MINUTES * 60_000, impactThresholdKmh: config.IMPACT_DELTA_V_KMH };
  }

  async run(vin: string, decide: (aggregate: VehicleAggregate, ctx: DecideContext) => Decision | Rejection, eventId?: string): Promise<RunResult> {
    for (let attempt = 1; ; attempt++) {
      const aggregate = await this.deps.store.loadVehicle(vin);
      const decision = decide(aggregate, this.decideContext());
      if (isRejection(decision)) return decision;
      if (eventId === undefined && isNoop(decision)) return { status: 'noop', decision };
      const commands = this.stampCommands(vin, decision);
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
      });
      if (result.status === 'duplicate') return result;
      if (result.status === 'ok') {
        this.publish(vin, decision, commands);
        return { status: 'ok', decision, feed: result.feed, commands };
      }
      this.deps.metrics.commitConflicts.inc();
      if (attempt >= MAX_ATTEMPTS) throw new Error(`vehicle ${vin} changed concurrently ${MAX_ATTEMPTS} times`);
    }
  }

  /** Tells the car and the partner what was decided (after the commit: nothing is sent that was not kept). */
  publish(vin: string, decision: Decision, commands: CommandRecord[]): void {
    const { outbound } = this.deps;
    for (const c of commands) {
      outbound.publish(topics.commands(vin), JSON.stringify({ v: 1, commandId: c.commandId, ts: c.sentAt, ...c.body }), { qos: 1 });
    }
    if (decision.lockoutChanged) {
      const message: LockoutMessage = { v: 1, ...storedLockoutView(vin, decision.vehicle.lockout) };
      outbound.publish(topics.lockout(vin), JSON.stringify(message), { qos: 1, retain: true });
    }
    for (const alarm of decision.partnerAlarms) outbound.publish(topics.partnerAlarm(vin), JSON.stringify(alarm), { qos: 1 });
    const until = decision.vehicle.lockout.until;
    if (until !== null && decision.vehicle.lockout.holdingSessionIds.length === 0) this.deps.onLockoutScheduled?.(vin, until);
  }

  deadLetter(topic: string, payload: Buffer, reason: DeadLetter['reason'], detail?: string): void {
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
