import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { isServiceCarId, isoTime, topics, type Position, type ServiceCarPosition } from '../../protocol/index.js';
import type { Clock } from '../../lib/clock/index.js';
import { RouteDriver, type Drivable } from '../routes/driver.js';
import { haversineKm, type Route } from '../routes/geometry.js';
import { servicePath, type LatLon } from './path.js';

/** D4.6: a service car's MQTT username with AUTH on (services/broker/acl.ts names it the same). */
export function serviceCarUsername(id: string): string {
  return `svc-${id}`;
}

export interface ServiceCarOptions {
  /** Safe topic level (protocol `ServiceCarId`): 1-64 of `A-Z a-z 0-9 _ -`. */
  id: string;
  url: string;
  clock: Clock;
  /** The depot. */
  from: LatLon;
  /** The scene. */
  to: LatLon;
  /** A road to drive along (simulator/routes); without one, the straight line. */
  road?: Route | undefined;
  speedKmh: number;
  /** How often it reports its position. */
  everyMs: number;
  /** AUTH on: default `svc-<id>` when a password is given. */
  username?: string | undefined;
  /** AUTH on: the password of `PUT /v1/service-cars/{id}/credentials`. */
  password?: string | undefined;
  /** PEM CA for `mqtts://` with a private CA. */
  ca?: string | undefined;
  logger?: Logger | undefined;
}

/** One position report, as published, with where the car stood on its path. */
export interface ServiceCarReport {
  message: ServiceCarPosition;
  /** Kilometres driven from the depot, and left to the scene, along the path. */
  km: number;
  remainingKm: number;
  arrived: boolean;
}

export interface ServiceCarArrival {
  reports: number;
  km: number;
  /** Clock time from the start to the arrival. */
  ms: number;
  position: Position;
}

/**
 * A road-service car on its way to a scene (D4.6): drives from the depot to the scene along its path
 * (`RouteDriver`, on the injected clock) at `speedKmh`, and reports its position on
 * `v1/service-cars/{id}/position` (QoS 1) at the start, every `everyMs`, and on arrival, where it
 * stops. A report without a fix (a tunnel with no fix, D2.7) is skipped: the message needs a position.
 */
export class SimulatedServiceCar {
  readonly path: Route;
  readonly topic: string;
  reports = 0;
  private client: MqttClient | null = null;
  private driver: RouteDriver | null = null;
  private readonly vehicle: Drivable & { position: Position | null };
  private pending: Promise<unknown> = Promise.resolve();
  private onReport: ((r: ServiceCarReport) => void) | undefined;
  private arrive: ((a: ServiceCarArrival) => void) | undefined;
  private fail: ((err: Error) => void) | undefined;
  private startedAt = 0;
  private arrived = false;

  constructor(private readonly opts: ServiceCarOptions) {
    if (!isServiceCarId(opts.id)) throw new Error(`service car id ${JSON.stringify(opts.id)}: expected 1-64 of A-Z a-z 0-9 _ -`);
    if (!(opts.speedKmh > 0)) throw new Error('a service car needs a speed above 0 km/h');
    if (!(opts.everyMs > 0)) throw new Error('a service car needs a report interval above 0 ms');
    this.topic = topics.serviceCarPosition(opts.id);
    this.path = servicePath(opts.from, opts.to, opts.road);
    this.vehicle = { position: null, speedKmh: 0, sendTelemetry: () => this.report() };
  }

  get lengthKm(): number {
    return this.path.lengthKm;
  }

  async connect(): Promise<void> {
    const { url, id, password, ca } = this.opts;
    const username = this.opts.username ?? (password !== undefined ? serviceCarUsername(id) : undefined);
    const options: IClientOptions = { clientId: `service-car-${id}`, protocolVersion: 4, clean: true, reconnectPeriod: 1000, connectTimeout: 10_000, ...(username ? { username, password } : {}), ...(ca ? { ca } : {}) };
    try {
      // A refusal (CONNACK 2, 4, 5) rejects here and MQTT.js ends the client: no retry loop keeps the process alive.
      this.client = await mqtt.connectAsync(url, options);
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (typeof code !== 'number') throw err;
      throw Object.assign(new Error(`service car ${id}: the broker refused the connection (CONNACK ${code}: ${(err as Error).message})`), { code });
    }
    // Reports made while offline wait in MQTT.js's queue and go out after the reconnect.
    this.client.on('offline', () => this.opts.logger?.warn({ id }, 'service car lost the broker; reconnecting'));
  }

  /** Drives to the scene; resolves once it is there and its last report is acknowledged by the broker. */
  drive(onReport?: (r: ServiceCarReport) => void): Promise<ServiceCarArrival> {
    if (!this.client) throw new Error('connect() first');
    if (this.driver) throw new Error('already driving');
    this.onReport = onReport;
    this.startedAt = this.opts.clock.now();
    this.driver = new RouteDriver(this.vehicle, { route: this.path, clock: this.opts.clock, speedKmh: this.opts.speedKmh, telemetryHz: 1000 / this.opts.everyMs, seed: 1 });
    return new Promise<ServiceCarArrival>((resolve, reject) => {
      this.arrive = resolve;
      this.fail = reject;
      this.report(); // at the depot
      if (!this.arrived) this.driver!.start(); // depot = scene: arrived already
    });
  }

  /** Stops driving (no more reports); `drive()` does not resolve. */
  stop(): void {
    this.driver?.stop();
    this.arrive = undefined;
  }

  async end(): Promise<void> {
    this.stop();
    await this.pending.catch(() => {});
    await this.client?.endAsync();
    this.client = null;
  }

  private report(): void {
    const driver = this.driver!;
    const km = driver.km - this.path.startKm;
    const arrived = driver.km >= this.path.endKm;
    const position = this.vehicle.position;
    if (arrived) driver.stop();
    if (position) {
      const message: ServiceCarPosition = { v: 1, ts: isoTime(this.opts.clock.now()), position };
      this.reports++;
      const sent = this.client!.publishAsync(this.topic, JSON.stringify(message), { qos: 1 });
      this.pending = Promise.all([this.pending, sent]);
      this.onReport?.({ message, km, remainingKm: Math.max(0, this.path.endKm - driver.km), arrived });
    }
    if (!arrived) return;
    this.arrived = true;
    const arrive = this.arrive;
    const fail = this.fail;
    this.arrive = undefined;
    const scene = this.path.poseAt(this.path.endKm);
    const at = { lat: scene.lat, lon: scene.lon, trusted: true };
    this.pending.then(
      () => arrive?.({ reports: this.reports, km: this.path.lengthKm, ms: this.opts.clock.now() - this.startedAt, position: position ?? at }),
      (err: Error) => fail?.(err),
    );
  }
}

/** Straight-line distance in km from a report's position to a point (for progress lines and tests). */
export function distanceKm(p: { lat: number; lon: number }, q: LatLon): number {
  return haversineKm(p.lat, p.lon, q.lat, q.lon);
}

/**
 * Connects a service car, drives it to the scene and disconnects: what a scenario step
 * (`serviceCar: {id, from, to, speedKmh}`) or any other caller runs.
 */
export async function runServiceCar(opts: ServiceCarOptions, onReport?: (r: ServiceCarReport) => void): Promise<ServiceCarArrival> {
  const car = new SimulatedServiceCar(opts);
  await car.connect();
  try {
    return await car.drive(onReport);
  } finally {
    await car.end();
  }
}
