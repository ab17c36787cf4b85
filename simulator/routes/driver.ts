import type { MaybePosition } from '../../protocol/index.js';
import type { Clock, TimerHandle } from '../../lib/clock/index.js';
import { mulberry32, type Rng } from '../car/prng.js';
import { fixAt } from './fix.js';
import type { Route, RoutePose } from './geometry.js';

/** What the driver moves: a SimulatedCar satisfies it, so does a test double of plain fields. */
export interface Drivable {
  position: MaybePosition;
  speedKmh: number;
  sendTelemetry(): void;
}

export interface RouteDriverOptions {
  route: Route;
  clock: Clock;
  speedKmh: number;
  /** Telemetry messages per second; 0 = move without sending. */
  telemetryHz: number;
  seed?: number;
  startKm?: number;
  /** +1 along the kilometre posts, -1 against them. */
  direction?: 1 | -1;
  /** At the end of the route turn round (true) or stop (false, default). */
  loop?: boolean;
}

/**
 * Drives a car along a route on the injected clock: each tick moves it `speed x dt`, sets its noisy fix
 * (null / untrusted in tunnels, D2.7) and sends one telemetry message.
 */
export class RouteDriver {
  km: number;
  speedKmh: number;
  direction: 1 | -1;
  private timer: TimerHandle | undefined;
  private lastTick = 0;
  private readonly rng: Rng;

  constructor(
    private readonly car: Drivable,
    private readonly opts: RouteDriverOptions,
  ) {
    this.km = opts.startKm ?? opts.route.startKm;
    this.speedKmh = opts.speedKmh;
    this.direction = opts.direction ?? 1;
    this.rng = mulberry32(opts.seed ?? 1);
    this.place();
  }

  get running(): boolean {
    return this.timer !== undefined;
  }

  pose(): RoutePose {
    return this.opts.route.poseAt(this.km);
  }

  start(): void {
    if (this.timer) return;
    this.lastTick = this.opts.clock.now();
    this.schedule();
  }

  stop(): void {
    if (this.timer) this.opts.clock.clearTimer(this.timer);
    this.timer = undefined;
  }

  /** Moves the car to where it is at the clock's time, without waiting for the next tick. */
  step(): void {
    const now = this.opts.clock.now();
    const dtH = Math.max(0, now - this.lastTick) / 3_600_000;
    this.lastTick = now;
    const { route } = this.opts;
    this.km += this.direction * this.speedKmh * dtH;
    if (this.km >= route.endKm || this.km <= route.startKm) {
      this.km = Math.min(route.endKm, Math.max(route.startKm, this.km));
      if (this.opts.loop) this.direction = this.direction === 1 ? -1 : 1;
      else this.speedKmh = 0;
    }
    this.place();
  }

  private place(): void {
    const pose = this.pose();
    const fix = fixAt(this.opts.route, pose, this.rng);
    if (fix && this.direction === -1 && fix.headingDeg !== undefined) fix.headingDeg = (fix.headingDeg + 180) % 360;
    this.car.position = fix;
    this.car.speedKmh = this.speedKmh > 0 ? Math.max(0, Math.round((this.speedKmh + this.rng.gauss(1.5)) * 10) / 10) : 0;
  }

  private schedule(): void {
    const hz = this.opts.telemetryHz;
    const period = hz > 0 ? 1000 / hz : 1000;
    this.timer = this.opts.clock.setTimer(period, () => {
      this.step();
      if (hz > 0) this.car.sendTelemetry();
      if (this.timer) this.schedule();
    });
  }
}
