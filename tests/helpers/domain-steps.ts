/**
 * The steps of a domain spec (domain-spec.ts): what a car, an operator, the owner, the clock and the
 * operations team can do. Each names the rule's actor; the service does the rest.
 */
import type { TSchema } from '@sinclair/typebox';
import {
  EventSchemas,
  isoTime,
  topics,
  validator,
  type EventType,
  type Position,
  type PowerMode,
  type RemoteOperation,
  type SecurityAlert,
  type Telemetry,
  type Validator,
  type VehicleEvent,
} from '../../protocol/index.js';
import type { IncidentCore } from '../../services/incident/core.js';
import {
  decideExpiry,
  decideOperatorAction,
  decideRemoteOperation,
  decideWifi,
  isRefusal,
  type DecideContext,
  type Decision,
  type OperatorAction,
  type VehicleAggregate,
} from '../../services/incident/domain/index.js';
import { VIN, event, type DataOf, type EventOptions } from './domain-fixtures.js';
import { SchemaViolation, type CaseRef, type Step, type StepResult } from './domain-spec.js';

const eventChecks = Object.fromEntries(Object.entries(EventSchemas).map(([type, schema]) => [type, validator(schema)])) as unknown as Record<EventType, Validator<TSchema>>;

function fromRun(r: Awaited<ReturnType<IncidentCore['run']>>): StepResult {
  if (isRefusal(r)) return { status: 'refused', code: r.refused, message: r.message, ...(r.details ? { details: r.details } : {}) };
  return { status: r.status };
}

/** The car publishes exactly this event (a redelivery sends the same one again). */
export function send(e: VehicleEvent): Step {
  return {
    label: `${e.type} ${e.eventId} from ${e.vin}`,
    async run(spec) {
      const issues = eventChecks[e.type].issues(e);
      if (issues.length > 0) throw new SchemaViolation(`test event ${e.eventId}: ${JSON.stringify(issues)}`);
      const outcome = await spec.running.ingest(topics.event(e.vin, e.type), Buffer.from(JSON.stringify(e)));
      if (outcome.status === 'accepted') return { status: 'ok' };
      const { reason, detail } = outcome as unknown as { reason: string; detail?: string };
      if (reason === 'duplicate_event') return { status: 'duplicate' };
      return { status: 'dead-lettered', reason, ...(detail ? { detail } : {}) };
    },
  };
}

/** An event of `type` stamped with the clock's time when it is sent. */
function carEvent<T extends EventType>(type: T, opts: EventOptions<T>): Step {
  return {
    label: `${type} from ${opts.vin ?? VIN}`,
    run: (spec) => send(event(type, { at: spec.clock.now(), ...opts })).run(spec),
  };
}

/**
 * A telemetry sample (QoS 0) stamped with the clock's time, through ingest like any car message: `position`
 * null is a sample without a fix (D2.7). Its result is `ok` (telemetry is never refused for positions).
 */
export function telemetry(position: Position | null, opts: { vin?: string; at?: number; speedKmh?: number } = {}): Step {
  const vin = opts.vin ?? VIN;
  return {
    label: `telemetry from ${vin}`,
    async run(spec) {
      const t: Telemetry = { v: 1, vin, ts: isoTime(opts.at ?? spec.clock.now()), position, ...(opts.speedKmh !== undefined ? { speedKmh: opts.speedKmh } : {}) };
      const outcome = await spec.running.ingest(topics.telemetry(vin), Buffer.from(JSON.stringify(t)));
      return outcome.status === 'accepted' ? { status: 'ok' } : { status: 'dead-lettered', reason: outcome.reason };
    },
  };
}

/** D1.1 */
export const airbag = (opts: EventOptions<'airbag'> = {}) => carEvent('airbag', opts);
/** D1.2: an impact of `deltaVKmh`. */
export const impact = (deltaVKmh: number, opts: Omit<EventOptions<'impact'>, 'data'> & { direction?: DataOf<'impact'>['direction'] } = {}) => {
  const { direction, ...rest } = opts;
  return carEvent('impact', { ...rest, data: { deltaVKmh, ...(direction ? { direction } : {}) } });
};
/** D1.3: the SOS button. */
export const sos = (opts: EventOptions<'sos'> = {}) => carEvent('sos', opts);
/** D1.4 / D2.3: the trouble support button (the car's hang-up during a call). */
export const trouble = (opts: EventOptions<'trouble'> = {}) => carEvent('trouble', opts);
/** D2.4: the power mode. */
export const power = (mode: PowerMode, opts: Omit<EventOptions<'power'>, 'data'> = {}) => carEvent('power', { ...opts, data: { mode } });
/** D3.1: the car's security alarm. */
export const alarm = (kind: SecurityAlert['kind'] = 'intrusion', opts: Omit<EventOptions<'security-alarm'>, 'data'> = {}) =>
  carEvent('security-alarm', { ...opts, data: { kind } });

export interface OperatorOptions extends CaseRef {
  /** The operator; `op-1` unless given. */
  by?: string;
  /** A case by id instead of the latest of the car (`vin` then names the car, VIN unless given). */
  caseId?: string;
  resolution?: string;
  note?: string;
}

/** An operator works the latest case of the car (of `trigger`), through the core as the HTTP API does. */
export function operator(kind: OperatorAction['kind'], opts: OperatorOptions = {}): Step {
  const by = opts.by ?? 'op-1';
  return {
    label: `${by} ${kind}`,
    async run(spec) {
      const c = opts.caseId === undefined ? await spec.caseOf(opts) : null;
      const caseId = opts.caseId ?? c!.id;
      const vin = c?.vin ?? opts.vin ?? VIN;
      const action: OperatorAction =
        kind === 'close'
          ? { kind, caseId, operatorId: by, resolution: opts.resolution ?? 'resolved', ...(opts.note ? { note: opts.note } : {}) }
          : { kind, caseId, operatorId: by };
      return fromRun(await spec.running.core.run(vin, (aggregate, ctx) => decideOperatorAction(aggregate, action, ctx)));
    },
  };
}

/** The owner's app: Wi-Fi on or off (D3.2), or a remote operation (D3.1). */
export function owner(request: { wifi: boolean } | { remote: RemoteOperation }, vin = VIN): Step {
  return {
    label: `owner ${JSON.stringify(request)}`,
    async run(spec) {
      const decide = (aggregate: VehicleAggregate, ctx: DecideContext) =>
        'wifi' in request ? decideWifi(aggregate, request.wifi, ctx) : decideRemoteOperation(aggregate, request.remote, ctx);
      return fromRun(await spec.running.core.run(vin, decide));
    },
  };
}

/** The lockout timer firing for the car (or a sweep): what the scheduler runs at a lockout's end. */
export function expire(vin = VIN): Step {
  return { label: `expiry of ${vin}`, run: async (spec) => fromRun(await spec.running.core.run(vin, decideExpiry)) };
}

/** Any decision through the real core: for what no actor can do (a decision the rules would never make). */
export function decide(label: string, vin: string, fn: (aggregate: VehicleAggregate, ctx: DecideContext) => Decision): Step {
  return { label, run: async (spec) => fromRun(await spec.running.core.run(vin, fn)) };
}

const NONE = (): StepResult => ({ status: 'none' });

/** Time passes on the virtual clock; timers falling due fire on the way (lockout expiries, D3.5). */
export function after(ms: number): Step {
  return { label: `after ${ms} ms`, run: (spec) => spec.clock.advance(ms).then(NONE) };
}

/** The clock moves on to `t` (epoch ms). */
export function at(t: number): Step {
  return { label: `at ${new Date(t).toISOString()}`, run: (spec) => spec.clock.advanceTo(t).then(NONE) };
}

/** The service goes down: nothing is processed and no timer fires until `restart()`. */
export function down(): Step {
  return { label: 'service down', run: (spec) => spec.stop().then(NONE) };
}

/** A new instance starts on the same store (with `env` over the spec's), re-arming the stored timers. */
export function restart(env: Record<string, string> = {}): Step {
  return { label: `restart ${JSON.stringify(env)}`, run: (spec) => spec.restart(env).then(NONE) };
}

/**
 * Two deliveries processed at once, as by two instances: both read the same version of the car, the
 * first commit wins, the other meets a conflict (and decides again) or a duplicate. One result each.
 */
export function race(a: Step, b: Step): Step {
  return {
    label: `race(${a.label}, ${b.label})`,
    async run(spec) {
      spec.store.startRace(2);
      const one = (s: Step) => s.run(spec).finally(() => spec.store.leaveRace());
      const results = await Promise.all([one(a), one(b)]);
      return results.flat();
    },
  };
}
