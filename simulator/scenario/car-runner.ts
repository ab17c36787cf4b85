import type { Case, Command, ScenarioCar, ScenarioStep } from '../../protocol/index.js';
import type { Clock } from '../../services/clock/index.js';
import type { FireOptions, SimulatedCar } from '../car/index.js';
import { RouteDriver, getRoute } from '../routes/index.js';
import { durationMs } from './duration.js';
import type { OperatorClient } from './http-client.js';
import type { StepResult } from './report.js';
import { poll } from './wait.js';

const TRIGGERS = new Set(['airbag', 'impact', 'sos', 'trouble']);
const DEFAULT_WITHIN_MS = 5000;

export interface CarRunContext {
  clock: Clock;
  startedAt: number;
  http: OperatorClient | undefined;
  record(r: StepResult): void;
}

/** Runs one car's timeline: vehicle actions on the car, operator actions over HTTP, expectations. */
export class CarRunner {
  private readonly commands: Command[] = [];
  /** Index into `commands` at the car's last action: expectations look at what came after it. */
  private mark = 0;
  /** Trigger events fired (oldest first), to find the case each opened. */
  private readonly triggerEvents: string[] = [];
  private driver: RouteDriver | undefined;

  constructor(
    private readonly spec: ScenarioCar,
    readonly car: SimulatedCar,
    private readonly ctx: CarRunContext,
  ) {
    car.signals.on('signal', (s) => {
      if (s.kind === 'command') this.commands.push(s.command);
    });
  }

  async run(): Promise<void> {
    for (const step of this.spec.timeline) {
      const planned = durationMs(step.at);
      const wait = this.ctx.startedAt + planned - this.ctx.clock.now();
      if (wait > 0) await new Promise<void>((r) => this.ctx.clock.setTimer(wait, r));
      const ranMs = this.ctx.clock.now() - this.ctx.startedAt;
      const label = describe(step);
      try {
        const detail = await this.execute(step);
        this.ctx.record({ who: this.spec.id, plannedMs: planned, ranMs, action: label, ok: true, detail });
      } catch (err) {
        this.ctx.record({ who: this.spec.id, plannedMs: planned, ranMs, action: label, ok: false, detail: (err as Error).message });
      }
    }
    this.driver?.stop();
  }

  private async execute(step: ScenarioStep): Promise<string> {
    const car = this.car;
    if (step.expect) return this.expect(step.expect);
    this.mark = this.commands.length;
    const ev: FireOptions = { ...(step.test ? { test: true } : {}), ...(step.noPosition ? { position: null } : {}) };
    if (step.airbag) {
      const data = step.airbag === true ? {} : step.airbag;
      return this.fired('airbag', await car.fire('airbag', { ...ev, data: { deployed: data.deployed ?? ['driver_front', 'passenger_front'], ...(data.deltaVKmh !== undefined ? { deltaVKmh: data.deltaVKmh } : {}) } }));
    }
    if (step.impact) {
      this.stopCar();
      return this.fired('impact', await car.impact(step.impact.deltaVKmh, step.impact.direction ?? 'front', ev as FireOptions<'impact'>));
    }
    if (step.sos) return this.fired('sos', await car.pressSos(ev as FireOptions<'sos'>));
    if (step.trouble) {
      if (step.trouble !== true) car.warningLamps = step.trouble.warningLamps;
      return this.fired('trouble', await car.pressTrouble(ev as FireOptions<'trouble'>));
    }
    if (step.power) return this.fired('power', await car.setPower(step.power, ev as FireOptions<'power'>));
    if (step.securityAlarm) return this.fired('security-alarm', await car.securityAlarm(step.securityAlarm.kind, ev as FireOptions<'security-alarm'>));
    if (step.telemetry) {
      car.sendTelemetry();
      return 'telemetry sent';
    }
    if (step.drive) {
      this.driver?.stop();
      const route = getRoute(step.drive.route);
      this.driver = new RouteDriver(car, { route, clock: this.ctx.clock, speedKmh: step.drive.speedKmh, telemetryHz: step.drive.telemetryHz ?? 1, ...(step.drive.startKm !== undefined ? { startKm: step.drive.startKm } : {}) });
      this.driver.start();
      const p = this.driver.pose();
      return `on ${route.def.id} at km ${p.km.toFixed(1)} (${p.lastLabel ?? 'start'})`;
    }
    if (step.stop) {
      this.stopCar();
      return 'stopped';
    }
    if (step.operator) {
      const http = this.requireHttp();
      const c = await this.findCase(DEFAULT_WITHIN_MS, false);
      if (!c) throw new Error(`no case found for ${car.vin}'s events`);
      const r = await http.operator(c.id, step.operator, { ...(step.resolution ? { resolution: step.resolution } : {}), ...(step.operatorId ? { operatorId: step.operatorId } : {}) });
      if (r.status >= 300) throw new Error(`case ${c.id}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
      return `case ${c.id}: HTTP ${r.status}`;
    }
    if (step.remote) return this.http(await this.requireHttp().remote(car.vin, step.remote.operation), step.remote.expectStatus ?? 202);
    if (step.wifi) return this.http(await this.requireHttp().wifi(car.vin, step.wifi.enabled), step.wifi.expectStatus);
    throw new Error('step has no action');
  }

  private fired(type: string, eventId: string): string {
    if (TRIGGERS.has(type)) this.triggerEvents.push(eventId);
    return `eventId ${eventId}`;
  }

  private stopCar(): void {
    if (this.driver) this.driver.speedKmh = 0;
  }

  private http(r: { status: number; body: unknown }, expected: number | undefined): string {
    if (expected !== undefined ? r.status !== expected : r.status >= 300) {
      throw new Error(`HTTP ${r.status} (expected ${expected ?? '2xx'}) ${JSON.stringify(r.body)}`);
    }
    return `HTTP ${r.status}`;
  }

  private requireHttp(): OperatorClient {
    if (!this.ctx.http) throw new Error('this step needs the HTTP API (--http-url)');
    return this.ctx.http;
  }

  /**
   * `exact`: the case of the newest trigger event. Otherwise the newest case among the car's trigger
   * events (a trouble press during a call or a lockout opens none, so the call's case is still "the" case).
   */
  private findCase(withinMs: number, exact: boolean): Promise<Case | undefined> {
    const http = this.requireHttp();
    const newest = this.triggerEvents.at(-1);
    return poll(this.ctx.clock, withinMs, async () => {
      const all = [...(await http.cases('open')), ...(await http.cases('closed'))].filter((c) => c.vin === this.car.vin);
      if (exact) return all.find((c) => c.eventId === newest);
      for (const id of [...this.triggerEvents].reverse()) {
        const hit = all.find((c) => c.eventId === id);
        if (hit) return hit;
      }
      return undefined;
    }, 200);
  }

  private async expect(e: NonNullable<ScenarioStep['expect']>): Promise<string> {
    const within = e.within !== undefined ? durationMs(e.within) : DEFAULT_WITHIN_MS;
    const { clock } = this.ctx;
    const done: string[] = [];
    if (e.command) {
      const want = e.command as Record<string, unknown>;
      const hit = await poll(clock, within, () => this.commands.slice(this.mark).find((c) => Object.entries(want).every(([k, v]) => (c as Record<string, unknown>)[k] === v)), 20);
      if (!hit) throw new Error(`no command ${JSON.stringify(want)} within ${within} ms; got ${this.commands.slice(this.mark).map(brief).join(', ') || 'none'}`);
      done.push(brief(hit));
    }
    if (e.lockout) {
      const want = e.lockout;
      const effective = () => this.car.state.lockout.active && (this.car.state.lockout.until === null || Date.parse(this.car.state.lockout.until) > clock.now());
      const ok = await poll(clock, within, () => (effective() === want.active && (want.features ?? []).every((f) => this.car.isLocked(f)) ? true : undefined), 50);
      const l = this.car.state.lockout;
      if (!ok) throw new Error(`lockout is ${JSON.stringify(l)}, expected ${JSON.stringify(want)}`);
      done.push(`lockout active=${effective()} [${l.features.join(',')}] until ${l.until ?? 'call cleared + lockout'}`);
    }
    if (e.audioMuted !== undefined) {
      const ok = await poll(clock, within, () => (this.car.state.audioMuted === e.audioMuted ? true : undefined), 20);
      if (!ok) throw new Error(`audioMuted is ${this.car.state.audioMuted}`);
      done.push(`audioMuted ${e.audioMuted}`);
    }
    if (e.case) {
      const want = e.case as Record<string, unknown>;
      const c = await poll(clock, within, async () => {
        const found = await this.findCase(0, false);
        return found && Object.entries(want).every(([k, v]) => (found as Record<string, unknown>)[k] === v) ? found : undefined;
      }, 200);
      if (!c) throw new Error(`no case matching ${JSON.stringify(want)} for ${this.car.vin} within ${within} ms`);
      done.push(`case ${c.id} ${c.trigger} p${c.priority} ${c.status}`);
    }
    if (e.noCase) {
      await new Promise<void>((r) => clock.setTimer(within, r));
      const c = await this.findCase(0, true);
      if (c) throw new Error(`case ${c.id} was opened (${c.trigger}), expected none`);
      done.push(`no case after ${within} ms`);
    }
    return done.join('; ');
  }
}

function brief(c: Command): string {
  switch (c.cmd) {
    case 'call.state':
      return `call.state ${c.state} muted=${c.audioMuted}`;
    case 'notice':
      return `notice ${c.code}`;
    case 'lockout':
      return `lockout active=${c.active} [${c.features.join(',')}]`;
    case 'wifi':
      return `wifi ${c.enabled ? 'on' : 'off'}`;
    default:
      return c.cmd;
  }
}

function describe(step: ScenarioStep): string {
  const skip = new Set(['at', 'note', 'test', 'noPosition', 'resolution', 'operatorId']);
  const [key, value] = Object.entries(step).find(([k]) => !skip.has(k)) ?? ['?', ''];
  const v = typeof value === 'object' ? JSON.stringify(value).replace(/"/g, '') : value === true ? '' : String(value);
  const extra = step.resolution ? ` (${step.resolution})` : '';
  return `${key} ${v}${extra}`.trim().slice(0, 80);
}
