import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../../lib/clock/index.js';
import { SimulatedCar, mulberry32, seedFrom, type Rng } from '../car/index.js';
import { RouteDriver, getRoute, routeIds } from '../routes/index.js';
import { sumCounters, type FleetSummary } from './summary.js';
import { fleetVin } from './vins.js';

export interface FleetOptions {
  url: string;
  clock: Clock;
  cars: number;
  seed: number;
  /** Telemetry per car per second (0: cars still move, send nothing). */
  telemetryHz: number;
  /** New connections started per second during the ramp. */
  rampPerSec?: number;
  /** Connects in flight at once (keeps a 2-core broker from drowning in CONNECTs). */
  maxPendingConnects?: number;
  routes?: string[];
  /** Whether cars drive routes (false: parked at their start point). */
  drive?: boolean;
  logger?: Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;
  reconnectPeriodMs?: number;
  connectTimeoutMs?: number;
  /** AUTH on: each car's MQTT password by VIN (provision.ts); a car missing from it connects without one. */
  passwords?: ReadonlyMap<string, string>;
  /** The cars' VINs, instead of the seed's `fleetVin(seed, i)` (one car with credentials of its own). */
  vins?: readonly string[];
}

export interface FleetMember {
  car: SimulatedCar;
  driver: RouteDriver;
  crashed: boolean;
}

export interface ConnectProgress {
  started: number;
  connected: number;
  failed: number;
}

/**
 * Many SimulatedCars in one process: one MQTT.js client per car, little state per car (no signal
 * history), connects ramped on the clock, each car driving one of the shipped routes.
 */
export class Fleet {
  readonly members: FleetMember[] = [];
  readonly rng: Rng;
  connectFailures = 0;
  /** Why the first car that failed to connect failed (a broker refusing credentials says so here). */
  firstConnectError: Error | undefined;
  private connectStart: number | undefined;
  private allConnectedAt: number | undefined;
  private everConnected = 0;
  private readonly startedAt: number;
  private stopped = false;
  /** Ends a ramp still under way (its next tick is a timer that would keep the process alive). */
  private endRamp: (() => void) | undefined;

  constructor(private readonly opts: FleetOptions) {
    this.rng = mulberry32(opts.seed);
    this.startedAt = opts.clock.now();
    const ids = opts.routes ?? routeIds();
    for (let i = 0; i < opts.cars; i++) {
      const vin = opts.vins?.[i] ?? fleetVin(opts.seed, i);
      const route = getRoute(this.rng.pick(ids));
      const password = opts.passwords?.get(vin);
      const car = new SimulatedCar({
        vin,
        url: opts.url,
        clock: opts.clock,
        seed: seedFrom(vin, opts.seed),
        historySize: 0,
        ...(password !== undefined ? { password } : {}),
        ...(opts.logger ? { logger: opts.logger } : {}),
        reconnectPeriodMs: opts.reconnectPeriodMs ?? 2000 + this.rng.int(0, 1000), // jitter: no thundering herd
        connectTimeoutMs: opts.connectTimeoutMs ?? 30_000,
      });
      const driver = new RouteDriver(car, {
        route,
        clock: opts.clock,
        speedKmh: Math.round(route.def.speedLimitKmh * this.rng.range(0.7, 1.1)),
        telemetryHz: opts.telemetryHz,
        seed: seedFrom(vin, opts.seed + 1),
        startKm: this.rng.range(route.startKm, route.endKm),
        direction: this.rng.next() < 0.5 ? 1 : -1,
        loop: true,
      });
      this.members.push({ car, driver, crashed: false });
      // "All connected" counts a car that made it on a retry after its first attempt timed out, too.
      const onFirst = (sig: { kind: string }) => {
        if (sig.kind !== 'connected') return;
        car.signals.off('signal', onFirst);
        if (++this.everConnected === opts.cars) this.allConnectedAt = opts.clock.now();
      };
      car.signals.on('signal', onFirst);
    }
  }

  /** Connects every car, `rampPerSec` at a time; resolves when each has connected or failed. */
  connectAll(onProgress?: (p: ConnectProgress) => void): Promise<ConnectProgress> {
    const { clock } = this.opts;
    const perTick = Math.max(1, Math.round((this.opts.rampPerSec ?? 500) / 10));
    const maxPending = this.opts.maxPendingConnects ?? 256;
    const p: ConnectProgress = { started: 0, connected: 0, failed: 0 };
    this.connectStart = clock.now();
    return new Promise((resolve) => {
      let next: TimerHandle | undefined;
      const done = () => {
        onProgress?.(p);
        if (p.connected + p.failed < this.members.length) return false;
        resolve(p);
        return true;
      };
      // stop() during the ramp: no more connects; resolves with the progress so far.
      this.endRamp = () => {
        if (next) clock.clearTimer(next);
        next = undefined;
        resolve(p);
      };
      const tick = () => {
        next = undefined;
        if (this.stopped) return;
        for (let n = 0; n < perTick && p.started < this.members.length && p.started - p.connected - p.failed < maxPending; n++) {
          const m = this.members[p.started++]!;
          m.car.connect().then(
            () => {
              p.connected++;
              // A car whose CONNACK came after stop() must not start a telemetry timer nobody clears.
              if (this.opts.drive !== false && !this.stopped) m.driver.start();
              done();
            },
            (err: Error) => {
              p.failed++;
              this.connectFailures++;
              this.firstConnectError ??= err;
              done();
            },
          );
        }
        if (p.started < this.members.length) next = clock.setTimer(100, tick);
      };
      if (this.members.length === 0 && done()) return;
      tick();
    });
  }

  connectedCount(): number {
    let n = 0;
    for (const m of this.members) if (m.car.connected) n++;
    return n;
  }

  /** A random car that is connected and has not crashed yet. */
  pickCar(): FleetMember | undefined {
    for (let tries = 0; tries < 20; tries++) {
      const m = this.members[this.rng.int(0, this.members.length - 1)];
      if (m && !m.crashed && m.car.connected) return m;
    }
    return this.members.find((m) => !m.crashed && m.car.connected);
  }

  /**
   * Waits (at most `timeoutMs`) until every fired event has its PUBACK, so the summary is not racing
   * them. Generous: a loaded broker may take seconds, and the wait ends as soon as nothing is pending.
   */
  async drain(timeoutMs = 20_000): Promise<void> {
    const { clock } = this.opts;
    const deadline = clock.now() + timeoutMs;
    while (this.members.some((m) => m.car.pendingEvents().length > 0) && clock.now() < deadline) {
      await new Promise<void>((resolve) => clock.setTimer(50, resolve));
    }
  }

  /** Disconnects every car (offline status first), a few hundred at a time. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.endRamp?.();
    for (const m of this.members) m.driver.stop();
    for (let i = 0; i < this.members.length; i += 500) {
      await Promise.all(this.members.slice(i, i + 500).map((m) => m.car.end().catch(() => {})));
    }
  }

  summary(): FleetSummary {
    const c = sumCounters(this.members.map((m) => m.car.counters));
    const mem = process.memoryUsage();
    let pending = 0;
    for (const m of this.members) pending += m.car.pendingEvents().length;
    return {
      cars: this.members.length,
      connected: this.connectedCount(),
      connectMs: this.allConnectedAt !== undefined && this.connectStart !== undefined ? this.allConnectedAt - this.connectStart : null,
      durationMs: this.opts.clock.now() - this.startedAt,
      ...c,
      eventsPending: pending,
      connectFailures: this.connectFailures,
      rssMb: Math.round(mem.rss / 1048576),
      heapUsedMb: Math.round(mem.heapUsed / 1048576),
    };
  }
}

/** Schedules `fn` on the clock every `periodMs` until the returned stop is called. */
export function every(clock: Clock, periodMs: number, fn: () => void): () => void {
  let handle: TimerHandle | undefined;
  const arm = () => {
    handle = clock.setTimer(periodMs, () => {
      fn();
      if (handle) arm();
    });
  };
  arm();
  return () => {
    if (handle) clock.clearTimer(handle);
    handle = undefined;
  };
}
