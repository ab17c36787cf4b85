/**
 * Given / when / then over the real service (STYLE 14, after Emmett's DeciderSpecification): a rule's
 * test reads like the rule, and runs through the code production runs.
 *
 *   await domainSpec()
 *     .given(airbag(), operator('answer'))
 *     .when(operator('hangup'))
 *     .then(commands(['call.state', 'lockout']), lockout({ until: T0 + LOCKOUT_MS }));
 *
 * Underneath: an IncidentService on a MemoryStore and a VirtualClock. Car events go in as MQTT payloads
 * through its ingest stages (decode -> validate -> dedupe -> decide+persist), operator actions, the owner's
 * requests and expiries through `IncidentCore.run`, and lockouts end when the LockoutScheduler's timers
 * fire as the clock moves (unless `timers: false`). The outbound records everything the service
 * publishes, and everything published or fed is checked against its protocol schema as it goes out.
 * Steps are in domain-steps.ts, expectations in domain-then.ts.
 */
import type { TSchema } from '@sinclair/typebox';
import { pino } from 'pino';
import { expect } from 'vitest';
import {
  Command,
  DeadLetter,
  FeedMessage,
  LockoutMessage,
  OperatorAudit,
  OutboxEmail,
  SecurityAlert,
  parseTopic,
  topics,
  validator,
  type CommandBody,
  type FeedMessage as FeedMessageT,
  type Trigger,
  type Validator,
} from '../../protocol/index.js';
import { VirtualClock } from '../../lib/clock/index.js';
import { loadConfig } from '../../services/config.js';
import { lockoutView } from '../../services/incident/domain/index.js';
import type { Outbound } from '../../services/incident/core.js';
import { IncidentService } from '../../services/incident/service.js';
import { T0, VIN, VIN_B, VIN_C, idFactory } from './domain-fixtures.js';
import { RacingStore } from './racing-store.js';

/** Thrown (and kept in `violations`) when the service sends a message its own schema refuses. */
export class SchemaViolation extends Error {}

/** One message the service published. */
export interface Sent {
  topic: string;
  payload: unknown;
  retain: boolean;
  at: number;
}

/** What one step came to, whatever path it took (ingest, the core, the clock). */
export type StepResult =
  | { status: 'ok' | 'noop' | 'duplicate' | 'none' }
  /** The rules refused it (an operator action, an owner's request). */
  | { status: 'refused'; code: string; message: string; details?: Record<string, unknown> }
  /** Ingest refused the message before the rules saw it. */
  | { status: 'dead-lettered'; reason: string; detail?: string };

export interface Step {
  readonly label: string;
  run(spec: DomainSpec): Promise<StepResult | StepResult[]>;
}

/** Which case a step or an expectation means: the latest one opened for the car (of that trigger). */
export interface CaseRef {
  vin?: string;
  trigger?: Trigger;
}

export type Expectation = (outcome: Outcome) => unknown;

export interface SpecOptions {
  /** The service's environment, read by loadConfig: LOCKOUT_MINUTES, IMPACT_DELTA_V_KMH, … */
  env?: Record<string, string>;
  /** Start of the virtual clock; T0 unless given. */
  start?: number;
  /** false: lockout timers never fire (a late or lost timer); only `expire()` steps end a lockout. */
  timers?: boolean;
}

const checks: Record<string, Validator<TSchema>> = {
  command: validator(Command),
  lockout: validator(LockoutMessage),
  alarm: validator(SecurityAlert),
  deadLetter: validator(DeadLetter),
  audit: validator(OperatorAudit),
  feed: validator(FeedMessage),
  email: validator(OutboxEmail),
};

function wireKind(topic: string): keyof typeof checks {
  if (topic === topics.deadLetter) return 'deadLetter';
  if (topic === topics.operatorAudit) return 'audit';
  if (topic === topics.outboxEmail) return 'email'; // D4.5
  if (topic.startsWith(topics.partnerAlarm(''))) return 'alarm';
  const route = parseTopic(topic);
  if (route.kind === 'commands') return 'command';
  if (route.kind === 'lockout') return 'lockout';
  throw new SchemaViolation(`the service published on an unexpected topic ${topic}`);
}

/** What the `when` steps did: their results and everything they sent and fed. */
export class Outcome {
  constructor(
    readonly spec: DomainSpec,
    readonly results: StepResult[],
    readonly sent: Sent[],
    readonly feed: FeedMessageT[],
    private readonly before: Map<string, { version: number; alerts: number }>,
  ) {}

  /** The result of the last `when` step. */
  get result(): StepResult {
    return this.results.at(-1) ?? { status: 'none' };
  }

  /** Command bodies sent to the car in these steps, in order. */
  commands(vin = VIN): CommandBody[] {
    return commandBodies(this.sent, vin);
  }

  /** Messages on one topic in these steps. */
  on(topic: string): unknown[] {
    return this.sent.filter((s) => s.topic === topic).map((s) => s.payload);
  }

  /** The car's version before the `when` steps. */
  versionBefore(vin = VIN): number {
    return this.before.get(vin)?.version ?? 0;
  }

  /** How many security alarms the car had before the `when` steps. */
  alertsBefore(vin = VIN): number {
    return this.before.get(vin)?.alerts ?? 0;
  }
}

function commandBodies(sent: Sent[], vin: string): CommandBody[] {
  return sent
    .filter((s) => s.topic === topics.commands(vin))
    .map((s) => {
      const { v: _v, commandId: _id, ts: _ts, ...body } = s.payload as CommandBody & { v: 1; commandId: string; ts: string };
      return body as CommandBody;
    });
}

class Scenario {
  constructor(
    private readonly spec: DomainSpec,
    private readonly givens: Step[],
    private readonly whens: Step[] = [],
  ) {}

  when(...steps: Step[]): Scenario {
    return new Scenario(this.spec, this.givens, [...this.whens, ...steps]);
  }

  /** Runs the givens (each must succeed), then the `when` steps, then checks every expectation. */
  then(...expectations: Expectation[]): Promise<Outcome> {
    const done = this.check(expectations);
    // `await scenario` (no `.then(…)` of its own) calls then(resolve, reject): a failing step must reach
    // reject too, or that await would never settle. Harmless when the two are real expectations.
    if (expectations.length === 2) done.catch((err: unknown) => Promise.resolve().then(() => expectations[1]!(err as Outcome)).catch(() => {}));
    return done;
  }

  private async check(expectations: Expectation[]): Promise<Outcome> {
    for (const step of this.givens) {
      for (const r of [await step.run(this.spec)].flat()) {
        if (r.status === 'ok' || r.status === 'noop' || r.status === 'none') continue;
        throw new Error(`given ${step.label}: ${JSON.stringify(r)}`);
      }
    }
    const outcome = await this.spec.run(...this.whens);
    for (const e of expectations) await e(outcome);
    return outcome;
  }
}

export class DomainSpec {
  readonly clock: VirtualClock;
  readonly store = new RacingStore({ positionsShared: true });
  /** Everything the service published, in order, each checked against its schema. */
  readonly sent: Sent[] = [];
  /** Every feed message committed, in seq order, each checked against FeedMessage. */
  readonly feed: FeedMessageT[] = [];
  /** Schema violations, including any thrown where nobody would see them (a timer's expiry). */
  readonly violations: string[] = [];
  service: IncidentService;
  private up = true;
  private instances = 0;
  private readonly env: Record<string, string>;
  private readonly timers: boolean;

  private readonly outbound: Outbound = {
    publish: (topic, payload, options, done) => {
      const parsed = JSON.parse(payload) as unknown;
      this.check(wireKind(topic), parsed, topic);
      this.sent.push({ topic, payload: parsed, retain: options.retain ?? false, at: this.clock.now() });
      done?.(); // a broker that takes everything: the outbox empties
    },
  };

  constructor(options: SpecOptions = {}) {
    this.clock = new VirtualClock(options.start ?? T0);
    this.env = options.env ?? {};
    this.timers = options.timers ?? true;
    this.store.onFeed((m) => {
      this.check('feed', m, 'feed');
      this.feed.push(m);
    });
    this.service = this.newInstance(this.env);
  }

  given(...steps: Step[]): Scenario {
    return new Scenario(this, steps);
  }

  when(...steps: Step[]): Scenario {
    return new Scenario(this, []).when(...steps);
  }

  /** Runs steps and returns what they did; refusals are results here, not failures. */
  async run(...steps: Step[]): Promise<Outcome> {
    const before = new Map<string, { version: number; alerts: number }>();
    for (const vin of this.vins()) {
      before.set(vin, { version: (await this.store.loadVehicle(vin)).vehicle.version, alerts: (await this.store.listAlerts(vin)).length });
    }
    const [sent, fed] = [this.sent.length, this.feed.length];
    const results: StepResult[] = [];
    for (const step of steps) results.push(...[await step.run(this)].flat());
    expect(this.violations, 'messages the protocol refuses').toEqual([]);
    return new Outcome(this, results, this.sent.slice(sent), this.feed.slice(fed), before);
  }

  /** The test VINs and every car the feed has named. */
  private vins(): Set<string> {
    const named = this.feed.map((m) => (m.type === 'lockout.updated' ? m.lockout.vin : m.type === 'session.updated' ? m.session.vin : m.case.vin));
    return new Set([VIN, VIN_B, VIN_C, ...named]);
  }

  /** The running instance; steps that need one fail while the service is down. */
  get running(): IncidentService {
    if (!this.up) throw new Error('the service is down (restart() it)');
    return this.service;
  }

  /** Stops the service: nothing is processed and no timer fires until `restart()`. */
  async stop(): Promise<void> {
    if (this.up) await this.service.stop();
    this.up = false;
  }

  /** A new instance on the same store and clock, with `env` over the spec's; it re-arms stored timers. */
  async restart(env: Record<string, string> = {}): Promise<void> {
    await this.stop();
    this.service = this.newInstance({ ...this.env, ...env });
    this.up = true;
    await this.service.start();
    await this.clock.advance(0); // expiries that fell due while down fire now
  }

  /** The lockout the API enforces now (D3.5: even before a late timer has fired). */
  async lockout(vin = VIN) {
    return lockoutView(vin, (await this.store.loadVehicle(vin)).vehicle.lockout, this.clock.now());
  }

  /** Command bodies the car has been sent so far. */
  commands(vin = VIN): CommandBody[] {
    return commandBodies(this.sent, vin);
  }

  /** Every command sent so far, with its car (for the property invariants). */
  allCommands(): { vin: string; body: CommandBody }[] {
    return this.sent.flatMap((s) => {
      const route = parseTopic(s.topic);
      return route.kind === 'commands' ? commandBodies([s], route.vin).map((body) => ({ vin: route.vin, body })) : [];
    });
  }

  /** The latest case opened for the car (of that trigger), as stored now. */
  async caseOf(ref: CaseRef = {}) {
    const vin = ref.vin ?? VIN;
    const opened = this.feed.filter((m) => m.type === 'case.opened' && m.case.vin === vin && (ref.trigger === undefined || m.case.trigger === ref.trigger));
    const last = opened.at(-1);
    if (last?.type !== 'case.opened') throw new Error(`no case opened for ${vin}${ref.trigger ? ` by ${ref.trigger}` : ''}`);
    return (await this.store.getCase(last.case.id))!;
  }

  private newInstance(env: Record<string, string>): IncidentService {
    const service = new IncidentService({
      store: this.store,
      clock: this.clock,
      config: loadConfig(env),
      logger: pino({ level: 'silent' }),
      newId: idFactory(`i${++this.instances}`),
      outbound: this.outbound,
    });
    if (!this.timers) service.scheduler.stop();
    return service;
  }

  private check(kind: keyof typeof checks, value: unknown, where: string): void {
    const issues = checks[kind]!.issues(value);
    if (issues.length === 0) return;
    const message = `${kind} on ${where}: ${JSON.stringify(issues)} in ${JSON.stringify(value)}`;
    this.violations.push(message);
    throw new SchemaViolation(message);
  }
}

/** A fresh world: the service on an empty MemoryStore, the clock at T0. */
export function domainSpec(options: SpecOptions = {}): DomainSpec {
  return new DomainSpec(options);
}
