/**
 * Test harness for the pure domain: drives decideEvent / decideOperatorAction / decideExpiry through a
 * MemoryStore the way the ingest pipeline does (load aggregate -> decide -> commit with eventId and
 * expectedVersion), on a VirtualClock. Every command body and feed message it sees is checked against
 * its protocol schema, so a test that uses the harness also proves the wire shapes.
 */
import {
  Command,
  FeedMessage,
  isoTime,
  validator,
  type CommandBody,
  type EventOf,
  type EventType,
  type FeedMessage as FeedMessageT,
  type Position,
  type VehicleEvent,
} from '../../protocol/index.js';
import { VirtualClock } from '../../lib/clock/index.js';
import {
  decideEvent,
  decideExpiry,
  decideOperatorAction,
  isNoop,
  isRejection,
  lockoutView,
  type DecideContext,
  type Decision,
  type OperatorAction,
  type Rejection,
  type VehicleAggregate,
} from '../../services/incident/domain/index.js';
import type { CommitResult } from '../../services/incident/store/port.js';
import { MemoryStore } from '../../services/incident/store/memory-store.js';

export const VIN = 'JHMZE2H59ES000001';
export const VIN_B = 'JHMZE2H59ES000002';
export const VIN_C = 'WVWZZZ1JZXW000003';
export const T0 = Date.UTC(2026, 10, 21, 10, 0, 0);
export const SECOND = 1_000;
export const MINUTE = 60_000;
export const LOCKOUT_MS = 60 * MINUTE;
export const TOKYO: Position = { lat: 35.6812, lon: 139.7671, headingDeg: 90, trusted: true };

const commandCheck = validator(Command);
const feedCheck = validator(FeedMessage);

/** Ids matching the protocol `Id` pattern, deterministic per harness. */
export function idFactory(prefix = 'id'): () => string {
  let n = 0;
  return () => `${prefix}-${(++n).toString().padStart(6, '0')}`;
}

export function context(now: number, overrides: Partial<DecideContext> = {}): DecideContext {
  return { now, newId: idFactory(), lockoutMs: LOCKOUT_MS, impactThresholdKmh: 8, ...overrides };
}

type DataOf<T extends EventType> = EventOf<T>['data'];

const DEFAULT_DATA: { [T in EventType]: DataOf<T> } = {
  airbag: { deployed: ['driver_front'] },
  impact: { deltaVKmh: 20 },
  sos: {},
  trouble: {},
  power: { mode: 'off' },
  'security-alarm': { kind: 'intrusion' },
};

let eventSeq = 0;

/** A valid event envelope of `type`; `eventId` is fresh unless given. */
export function event<T extends EventType>(
  type: T,
  opts: { vin?: string; eventId?: string; data?: DataOf<T>; at?: number; position?: Position | null; test?: boolean; occupants?: number } = {},
): EventOf<T> {
  const e = {
    v: 1,
    eventId: opts.eventId ?? `ev-${(++eventSeq).toString().padStart(6, '0')}`,
    vin: opts.vin ?? VIN,
    type,
    ts: isoTime(opts.at ?? T0),
    position: opts.position === undefined ? TOKYO : opts.position,
    ...(opts.occupants !== undefined ? { occupants: opts.occupants } : {}),
    ...(opts.test !== undefined ? { test: opts.test } : {}),
    data: opts.data ?? DEFAULT_DATA[type],
  };
  return e as unknown as EventOf<T>;
}

export interface SentCommand {
  vin: string;
  at: number;
  body: CommandBody;
}

export type EventOutcome = { decision: Decision; result: CommitResult };

/** Thrown when the domain produced a wire message its own schema refuses. */
export class SchemaViolation extends Error {}

export class DomainPipeline {
  readonly store = new MemoryStore();
  readonly clock: VirtualClock;
  /** Every command body committed, in commit order. */
  readonly commands: SentCommand[] = [];
  /** Every feed message committed, in commit order. */
  readonly feed: FeedMessageT[] = [];
  private readonly newId = idFactory('rec');
  /** LOCKOUT_MINUTES in ms; tests may change it to model a restart with another setting. */
  lockoutMs: number;
  impactThresholdKmh: number;

  constructor(opts: { start?: number; lockoutMs?: number; impactThresholdKmh?: number } = {}) {
    this.clock = new VirtualClock(opts.start ?? T0);
    this.lockoutMs = opts.lockoutMs ?? LOCKOUT_MS;
    this.impactThresholdKmh = opts.impactThresholdKmh ?? 8;
  }

  ctx(): DecideContext {
    return { now: this.clock.now(), newId: this.newId, lockoutMs: this.lockoutMs, impactThresholdKmh: this.impactThresholdKmh };
  }

  load(vin: string = VIN): Promise<VehicleAggregate> {
    return this.store.loadVehicle(vin);
  }

  /** Ingest: decide on the car's current aggregate and commit with the event's id (dedupe) and version. */
  async event(e: VehicleEvent): Promise<EventOutcome> {
    for (;;) {
      const aggregate = await this.load(e.vin);
      const decision = decideEvent(aggregate, e, this.ctx());
      const result = await this.commit(aggregate, decision, e.eventId);
      if (result.status !== 'conflict') return { decision, result };
    }
  }

  /** An operator action: rejected and no-op decisions are not committed. */
  async act(vin: string, action: OperatorAction): Promise<Decision | Rejection> {
    for (;;) {
      const aggregate = await this.load(vin);
      const decision = decideOperatorAction(aggregate, action, this.ctx());
      if (isRejection(decision) || isNoop(decision)) return decision;
      const result = await this.commit(aggregate, decision);
      if (result.status !== 'conflict') return decision;
    }
  }

  /** The lockout timer firing (or a sweep): a no-op decision is not committed. */
  async expire(vin: string = VIN): Promise<Decision> {
    const aggregate = await this.load(vin);
    const decision = decideExpiry(aggregate, this.ctx());
    if (!isNoop(decision)) await this.commit(aggregate, decision);
    return decision;
  }

  /** The lockout the API enforces now. */
  async lockout(vin: string = VIN) {
    return lockoutView(vin, (await this.load(vin)).vehicle.lockout, this.clock.now());
  }

  async advance(ms: number): Promise<void> {
    await this.clock.advance(ms);
  }

  commandsFor(vin: string = VIN): CommandBody[] {
    return this.commands.filter((c) => c.vin === vin).map((c) => c.body);
  }

  async commit(aggregate: VehicleAggregate, decision: Decision, eventId?: string): Promise<CommitResult> {
    const now = this.clock.now();
    const vin = aggregate.vehicle.vin;
    const records = decision.commands.map((body) => ({ commandId: this.newId(), vin, cmd: body.cmd, sentAt: isoTime(now), body }));
    const result = await this.store.commit({
      vin,
      expectedVersion: aggregate.vehicle.version,
      ...(eventId !== undefined ? { eventId } : {}),
      vehicle: decision.vehicle,
      cases: decision.cases,
      sessions: decision.sessions,
      alerts: decision.alerts,
      impacts: decision.impacts,
      commands: records,
      feed: decision.feed,
    });
    if (result.status !== 'ok') return result;
    for (const r of records) {
      const wire = { v: 1, commandId: r.commandId, ts: r.sentAt, ...r.body };
      const issues = commandCheck.issues(wire);
      if (issues.length > 0) throw new SchemaViolation(`command ${r.cmd}: ${JSON.stringify(issues)}`);
      this.commands.push({ vin, at: now, body: r.body });
    }
    for (const m of result.feed) {
      const issues = feedCheck.issues(m);
      if (issues.length > 0) throw new SchemaViolation(`feed ${m.type}: ${JSON.stringify(issues)}`);
      this.feed.push(m);
    }
    return result;
  }
}

/** The decision, or a test failure naming the rejection. */
export function accepted(d: Decision | Rejection): Decision {
  if (isRejection(d)) throw new Error(`expected the action to be accepted, got ${d.rejected}: ${d.message}`);
  return d;
}

export function commandsOf<C extends CommandBody['cmd']>(bodies: CommandBody[], cmd: C): Extract<CommandBody, { cmd: C }>[] {
  return bodies.filter((b): b is Extract<CommandBody, { cmd: C }> => b.cmd === cmd);
}
