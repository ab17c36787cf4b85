import type { Case, Command, Expectation, ScenarioCar, ScenarioStep } from '../../protocol/index.js';
import type { Clock } from '../../lib/clock/index.js';
import type { FireOptions, SimulatedCar } from '../car/index.js';
import { airbagsFor, estimatePeakG } from '../car/payloads.js';
import { serviceCarUsername, startServiceCarStep, type RunningServiceCar, type ServiceCarStepContext } from '../service-car/index.js';
import type { ConfigCheck } from './config-check.js';
import { RouteDriver, getRoute } from '../routes/index.js';
import { durationMs } from './duration.js';
import { DEFAULT_WITHIN_MS, checkExpectation } from './expect.js';
import type { OperatorClient } from './http-client.js';
import type { StepResult } from './report.js';
import { poll, settle } from './wait.js';

const TRIGGERS = new Set(['airbag', 'impact', 'sos', 'trouble']);

export interface CarRunContext {
  clock: Clock;
  startedAt: number;
  http: OperatorClient | undefined;
  configCheck?: ConfigCheck;
  record(r: StepResult): void;
  /** D4.6: where `serviceCar` steps connect (the cars' broker), and the service cars started, stopped at the end of the run. */
  mqtt?: Omit<ServiceCarStepContext, 'clock'>;
  serviceCars?: RunningServiceCar[];
  /** AUTH on (D4.6): each service car's MQTT password by id; it connects as `svc-<id>` with it. */
  serviceCarPasswords?: ReadonlyMap<string, string>;
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
      if (s.kind !== 'command') return;
      this.commands.push(s.command);
      ctx.configCheck?.onCommand(spec.id, s.command, s.at);
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
      await settle(this.ctx.clock);
    }
    this.driver?.stop();
  }

  private async execute(step: ScenarioStep): Promise<string> {
    const car = this.car;
    if (step.expect) return this.expect(step.expect);
    this.mark = this.commands.length;
    const ev: FireOptions = { ...(step.test ? { test: true } : {}), ...(step.noPosition ? { position: null } : {}) };
    if (step.airbag) {
      const { deployed, ...crash } = step.airbag === true ? {} : step.airbag;
      // Issue 12 part 8 (D4.3): direction, several impacts, belts and rollover as the step gives them.
      const fallback = crash.direction !== undefined ? airbagsFor(crash.direction) : ['driver_front', 'passenger_front'];
      return this.fired('airbag', await car.fire('airbag', { ...ev, data: { deployed: deployed ?? fallback, ...crash } }));
    }
    if (step.impact) {
      this.stopCar();
      const { deltaVKmh, direction = 'front', multipleImpacts, seatbelts } = step.impact;
      // Given belts or several impacts, the step says the crash data; otherwise the car draws them from its seed.
      const data = multipleImpacts !== undefined || seatbelts !== undefined ? { deltaVKmh, peakG: estimatePeakG(deltaVKmh), direction, multipleImpacts: multipleImpacts ?? false, ...(seatbelts ? { seatbelts } : {}) } : undefined;
      return this.fired('impact', await car.impact(deltaVKmh, direction, { ...(ev as FireOptions<'impact'>), ...(data ? { data } : {}) }));
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
    if (step.dispatch || step.dispatchUpdate || step.noResponse) return this.dispatchStep(step);
    if (step.serviceCar) {
      const mqtt = this.ctx.mqtt;
      if (!mqtt) throw new Error('this step needs the broker URL');
      // `to` left out: this car, where it is now (the scene the dispatch was sent to).
      const scene = this.car.position;
      if (!step.serviceCar.to && !scene) throw new Error(`${this.car.vin} has no position to drive a service car to`);
      const to = step.serviceCar.to ?? { lat: scene!.lat, lon: scene!.lon };
      const password = this.ctx.serviceCarPasswords?.get(step.serviceCar.id);
      const login = password !== undefined ? { username: serviceCarUsername(step.serviceCar.id), password } : {};
      const running = await startServiceCarStep({ ...step.serviceCar, to }, { clock: this.ctx.clock, ...mqtt, ...login });
      this.ctx.serviceCars?.push(running);
      return running.summary;
    }
    if (step.remote) return this.http(await this.requireHttp().remote(car.vin, step.remote.operation), step.remote.expectStatus ?? 202);
    if (step.wifi) return this.http(await this.requireHttp().wifi(car.vin, step.wifi.enabled), step.wifi.expectStatus);
    throw new Error('step has no action');
  }

  /** Issue 12 part 8: the operator's dispatches on the car's case (D4.1, D4.2, D4.6). */
  private async dispatchStep(step: ScenarioStep): Promise<string> {
    const http = this.requireHttp();
    const c = await this.findCase(DEFAULT_WITHIN_MS, false);
    if (!c) throw new Error(`no case found for ${this.car.vin}'s events`);
    if (step.noResponse) return this.http(await http.noResponse(c.id), undefined);
    if (step.dispatch) return this.http(await http.dispatch(c.id, step.dispatch), 201);
    const u = step.dispatchUpdate!;
    const d = c.dispatches?.[u.dispatch];
    if (!d) throw new Error(`case ${c.id} has no dispatch ${u.dispatch} (it has ${c.dispatches?.length ?? 0})`);
    return this.http(await http.dispatchUpdate(c.id, d.id, { status: u.status, ...(u.etaMinutes !== undefined ? { etaMinutes: u.etaMinutes } : {}) }), 200);
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

  private expect(e: Expectation): Promise<string> {
    return checkExpectation(e, {
      clock: this.ctx.clock,
      car: this.car,
      commandsSinceAction: () => this.commands.slice(this.mark),
      caseOfNewestEvent: (exact) => this.findCase(0, exact),
      ...(this.ctx.http ? { http: this.ctx.http } : {}),
    });
  }
}

function describe(step: ScenarioStep): string {
  const skip = new Set(['at', 'note', 'test', 'noPosition', 'resolution', 'operatorId']);
  if (step.serviceCar) return `serviceCar ${step.serviceCar.id} at ${step.serviceCar.speedKmh} km/h`;
  const [key, value] = Object.entries(step).find(([k]) => !skip.has(k)) ?? ['?', ''];
  const v = typeof value === 'object' ? JSON.stringify(value).replace(/"/g, '') : value === true ? '' : String(value);
  const extra = step.resolution ? ` (${step.resolution})` : '';
  return `${key} ${v}${extra}`.trim().slice(0, 80);
}
