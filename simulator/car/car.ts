import { connect as mqttConnect, type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { isVin, topics, type AppMessage, type EventType, type ImpactDirection, type MaybePosition, type PowerMode } from '../../protocol/index.js';
import type { Clock } from '../../lib/clock/index.js';
import { eventIdFactory } from './ids.js';
import { parseAppMessage, parseCommand, parseLockout } from './inbound.js';
import { Outbox } from './outbox.js';
import { defaultData } from './defaults.js';
import { buildAck, buildEvent, buildStatus, buildTelemetry, crashDetails, estimatePeakG, type FireOptions } from './payloads.js';
import { mulberry32, seedFrom, type Rng } from './prng.js';
import { SignalLog, type CarSignal } from './signals.js';
import { CarState } from './state.js';

export interface SimulatedCarOptions {
  vin: string;
  url: string;
  clock: Clock;
  /** PRNG seed; defaults to one derived from the VIN, so each car is reproducible on its own. */
  seed?: number;
  /**
   * MQTT client id; fixed per VIN by default (`car-<VIN>`) so the broker keeps the persistent session.
   * With AUTH on a vehicle's client id must be its VIN or `car-<VIN>` (optionally `-<suffix>`).
   */
  clientId?: string;
  /** The car's MQTT password (AUTH on: `PUT /v1/vehicles/{vin}/credentials`); the username is the VIN. */
  password?: string;
  /** PEM CA certificate(s) that signed the broker's certificate, for an `mqtts://` URL with a private CA. */
  ca?: string | Buffer;
  logger?: Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;
  /** Starting fix; a seeded point near Tokyo Station otherwise. `null` = no fix. */
  position?: MaybePosition;
  /** Signals kept for `waitFor` / `history` (fleets keep few). */
  historySize?: number;
  reconnectPeriodMs?: number;
  connectTimeoutMs?: number;
  /** Extra MQTT.js options (auth, keepalive); the car's own session/will settings win. */
  mqtt?: Partial<IClientOptions>;
}

/** Counters a fleet sums up. */
export interface CarCounters {
  eventsSent: number;
  eventsAcked: number;
  commandsReceived: number;
  telemetrySent: number;
  errors: number;
  reconnects: number;
}

/**
 * A telematics control unit over MQTT 3.1.1 (contract "MQTT"): persistent session with a fixed client
 * id, retained online status with a Last Will, acks for every command, and a store-and-forward outbox
 * for emergency events that holds each one until the broker's PUBACK.
 */
export class SimulatedCar {
  readonly vin: string;
  readonly state = new CarState();
  readonly signals: SignalLog;
  /** D4.6: what the owner's app was told on `v1/vehicles/{vin}/app-messages`, oldest first. */
  readonly appMessages: AppMessage[] = [];
  readonly counters: CarCounters = { eventsSent: 0, eventsAcked: 0, commandsReceived: 0, telemetrySent: 0, errors: 0, reconnects: 0 };
  position: MaybePosition;
  speedKmh = 0;
  warningLamps: string[] = [];
  private readonly rng: Rng;
  private readonly nextEventId: () => string;
  private readonly outbox = new Outbox();
  private client: MqttClient | undefined;
  private ended = false;
  private connecting: Promise<void> | undefined;
  /** Fails a connect still waiting for its first CONNACK (and clears its timeout); set while it waits. */
  private abandonConnect: (() => void) | undefined;

  constructor(private readonly opts: SimulatedCarOptions) {
    if (!isVin(opts.vin)) throw new Error(`invalid VIN ${JSON.stringify(opts.vin)}: 17 characters of A-H J-N P R-Z 0-9`);
    this.vin = opts.vin;
    this.rng = mulberry32(opts.seed ?? seedFrom(opts.vin));
    this.nextEventId = eventIdFactory(this.rng, () => opts.clock.now());
    this.signals = new SignalLog(opts.clock, opts.historySize ?? 256);
    this.position =
      opts.position !== undefined
        ? opts.position
        : { lat: 35.6812 + this.rng.gauss(0.01), lon: 139.7671 + this.rng.gauss(0.01), headingDeg: this.rng.int(0, 359), trusted: true };
  }

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  /** Event ids fired but not yet acknowledged by the broker. */
  pendingEvents(): string[] {
    return this.outbox.ids();
  }

  /** Connects (resolves on the first CONNACK); the client then reconnects on its own until `end()`. */
  connect(): Promise<void> {
    this.connecting ??= this.open();
    return this.connecting;
  }

  private open(): Promise<void> {
    const { clock } = this.opts;
    const status = topics.status(this.vin);
    const client = mqttConnect(this.opts.url, {
      ...this.opts.mqtt,
      ...(this.opts.password !== undefined ? { username: this.vin, password: this.opts.password } : {}),
      ...(this.opts.ca !== undefined ? { ca: this.opts.ca } : {}),
      protocolVersion: 4, // MQTT 3.1.1, contract "MQTT"
      clientId: this.opts.clientId ?? `car-${this.vin}`,
      clean: false, // persistent session: QoS 1 commands queued while offline are delivered later
      reconnectPeriod: this.opts.reconnectPeriodMs ?? 1000,
      connectTimeout: this.opts.connectTimeoutMs ?? 10_000,
      will: { topic: status, payload: Buffer.from(JSON.stringify(buildStatus(false, clock.now()))), qos: 1, retain: true },
    });
    this.client = client;
    let everConnected = false;
    client.on('connect', (connack) => {
      if (everConnected) this.counters.reconnects++;
      everConnected = true;
      this.signals.push({ kind: 'connected', at: clock.now(), sessionPresent: connack.sessionPresent });
      client.publish(status, JSON.stringify(buildStatus(true, clock.now())), { qos: 1, retain: true });
      // D4.6: the owner's app messages too (the car stands in for the owner's phone in scenarios).
      client.subscribe([topics.commands(this.vin), topics.lockout(this.vin), topics.appMessages(this.vin)], { qos: 1 }, (err) => {
        if (err) this.fail('subscribe', err);
      });
      this.flushOutbox();
    });
    client.on('close', () => {
      if (client.options.will) client.options.will.payload = Buffer.from(JSON.stringify(buildStatus(false, clock.now())));
      if (everConnected) this.signals.push({ kind: 'disconnected', at: clock.now() });
    });
    client.on('error', (err) => this.fail('mqtt', err));
    client.on('message', (topic, payload) => this.onMessage(topic, payload));
    return new Promise((resolve, reject) => {
      const settle = (err?: Error) => {
        clock.clearTimer(timer);
        client.off('connect', ok);
        this.abandonConnect = undefined;
        if (err) reject(err);
        else resolve();
      };
      const timer = clock.setTimer((this.opts.connectTimeoutMs ?? 10_000) + 50, () => settle(new Error(`car ${this.vin}: no connection to ${this.opts.url}`)));
      const ok = () => settle();
      // end() before the first CONNACK: fail now rather than leave the timeout keeping the process alive.
      this.abandonConnect = () => settle(new Error(`car ${this.vin} ended before connecting`));
      client.once('connect', ok);
      // A broker that refuses who the car is (CONNACK 2, 4, 5: client id, credentials) will refuse every
      // retry too: fail the first connect now, not at its timeout (MQTT.js keeps retrying meanwhile).
      const refused = (err: Error & { code?: unknown }) => {
        if (err.code !== 2 && err.code !== 4 && err.code !== 5) return;
        client.off('error', refused);
        settle(Object.assign(new Error(`car ${this.vin}: the broker refused the connection (CONNACK ${err.code}: ${err.message})`), { code: err.code }));
      };
      client.on('error', refused);
      client.once('connect', () => client.off('error', refused));
    });
  }

  /** Publishes offline status and disconnects; events still in the outbox are failed. */
  async end(opts: { graceful?: boolean } = {}): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    this.abandonConnect?.();
    const client = this.client;
    if (client?.connected && opts.graceful !== false) {
      // Bounded: a broker that stops answering must not hold up shutdown (the Last Will covers it).
      const { clock } = this.opts;
      let timer: ReturnType<Clock['setTimer']> | undefined;
      await Promise.race([
        client.publishAsync(topics.status(this.vin), JSON.stringify(buildStatus(false, clock.now())), { qos: 1, retain: true }).catch(() => {}),
        new Promise<void>((resolve) => (timer = clock.setTimer(2000, resolve))),
      ]);
      if (timer) clock.clearTimer(timer);
    }
    if (client) await endBounded(client, opts.graceful === false, this.opts.clock);
    this.outbox.failAll(new Error(`car ${this.vin} ended before PUBACK`));
  }

  /** Drops the connection without a DISCONNECT, so the broker publishes the Last Will. */
  async crashConnection(): Promise<void> {
    this.client?.stream.destroy();
  }

  /** Fires an event (QoS 1) and resolves with its eventId once the broker has sent PUBACK. */
  fire<T extends EventType>(type: T, opts: FireOptions<T> = {}): Promise<string> {
    if (this.ended) return Promise.reject(new Error(`car ${this.vin} has ended`));
    const eventId = opts.eventId ?? this.nextEventId();
    const event = buildEvent({
      vin: this.vin,
      type,
      eventId,
      nowMs: this.opts.clock.now(),
      position: opts.position !== undefined ? opts.position : this.position,
      data: opts.data ?? defaultData(type, this.rng, this.state.powerMode),
      occupants: opts.occupants ?? this.rng.int(1, 4),
      test: opts.test,
    });
    this.counters.eventsSent++;
    return new Promise((resolve, reject) => {
      this.outbox.add({ eventId, topic: topics.event(this.vin, type), payload: JSON.stringify(event), resolve, reject });
      this.flushOutbox();
    });
  }

  airbag(opts: FireOptions<'airbag'> = {}): Promise<string> {
    return this.fire('airbag', opts);
  }

  impact(deltaVKmh: number, direction: ImpactDirection = 'front', opts: FireOptions<'impact'> = {}): Promise<string> {
    return this.fire('impact', { ...opts, data: opts.data ?? { deltaVKmh, peakG: estimatePeakG(deltaVKmh), ...crashDetails(this.rng, direction) } });
  }

  pressSos(opts: FireOptions<'sos'> = {}): Promise<string> {
    return this.fire('sos', opts);
  }

  /** D1.4; pressed again during an SOS/trouble call it asks the centre to hang up (D2.3). */
  pressTrouble(opts: FireOptions<'trouble'> = {}): Promise<string> {
    return this.fire('trouble', { ...opts, data: opts.data ?? (this.warningLamps.length ? { warningLamps: [...this.warningLamps] } : {}) });
  }

  /** Changes the power mode and reports it; OFF during a call drops the call at the centre (D2.4). */
  setPower(mode: PowerMode, opts: FireOptions<'power'> = {}): Promise<string> {
    this.state.powerMode = mode;
    return this.fire('power', { ...opts, data: { mode } });
  }

  securityAlarm(kind: string, opts: FireOptions<'security-alarm'> = {}): Promise<string> {
    return this.fire('security-alarm', { ...opts, data: { kind } });
  }

  /** One telemetry message, QoS 0 (fire and forget; dropped while offline). */
  sendTelemetry(): void {
    if (!this.client?.connected) return;
    const t = buildTelemetry({
      vin: this.vin,
      nowMs: this.opts.clock.now(),
      position: this.position,
      speedKmh: this.speedKmh,
      powerMode: this.state.powerMode,
      warningLamps: this.warningLamps,
    });
    this.counters.telemetrySent++;
    this.client.publish(topics.telemetry(this.vin), JSON.stringify(t), { qos: 0 });
  }

  waitFor<S extends CarSignal>(predicate: ((s: CarSignal) => s is S) | ((s: CarSignal) => boolean), timeoutMs?: number, opts?: { includePast?: boolean }): Promise<S> {
    return this.signals.waitFor(predicate, timeoutMs, opts);
  }

  isLocked(feature: Parameters<CarState['isLocked']>[0]): boolean {
    return this.state.isLocked(feature, this.opts.clock.now());
  }

  private flushOutbox(): void {
    const client = this.client;
    if (!client?.connected) return;
    for (const entry of this.outbox.waiting()) {
      entry.inFlight = true;
      entry.attempts++;
      client.publish(entry.topic, entry.payload, { qos: 1 }, (err) => {
        entry.inFlight = false;
        if (err) {
          // Kept: re-sent on the next connect (store-and-forward).
          this.opts.logger?.warn({ vin: this.vin, eventId: entry.eventId, err: err.message }, 'event not acknowledged; kept in outbox');
          return;
        }
        this.counters.eventsAcked++;
        this.outbox.acked(entry.eventId);
        this.signals.push({ kind: 'acked', at: this.opts.clock.now(), eventId: entry.eventId });
      });
    }
  }

  private onMessage(topic: string, payload: Buffer): void {
    const now = this.opts.clock.now();
    if (topic === topics.lockout(this.vin)) {
      const parsed = parseLockout(payload, this.vin);
      if (!parsed.ok) return this.reject(topic, parsed.reason);
      this.state.applyLockout(parsed.value);
      this.signals.push({ kind: 'lockout', at: now, lockout: parsed.value });
      return;
    }
    if (topic === topics.appMessages(this.vin)) {
      const parsed = parseAppMessage(payload);
      if (!parsed.ok) return this.reject(topic, parsed.reason);
      this.appMessages.push(parsed.value);
      this.signals.push({ kind: 'app', at: now, message: parsed.value });
      return;
    }
    if (topic !== topics.commands(this.vin)) return;
    this.counters.commandsReceived++;
    const parsed = parseCommand(payload);
    if (!parsed.ok) {
      this.reject(topic, parsed.reason);
      if (parsed.commandId) this.ack(parsed.commandId, parsed.reason);
      return;
    }
    const error = this.state.apply(parsed.value, now);
    this.signals.push({ kind: 'command', at: now, command: parsed.value });
    this.ack(parsed.value.commandId, error);
  }

  private ack(commandId: string, error?: string): void {
    this.client?.publish(topics.acks(this.vin), JSON.stringify(buildAck(commandId, error)), { qos: 1 });
  }

  private reject(topic: string, reason: string): void {
    this.counters.errors++;
    this.opts.logger?.warn({ vin: this.vin, topic, reason }, 'car rejected an inbound message');
    this.signals.push({ kind: 'rejected', at: this.opts.clock.now(), topic, reason });
  }

  private fail(where: string, err: Error & { code?: unknown }): void {
    this.counters.errors++;
    // Refused/reset connections are expected while a broker restarts: MQTT.js retries; keep them quiet.
    // So is a broker refusing the car's identity on its first connect: connect() fails with it (the caller says so).
    const refusedFirst = (err.code === 2 || err.code === 4 || err.code === 5) && this.abandonConnect !== undefined;
    const transient = err.code === 'ECONNREFUSED' || err.code === 'ECONNRESET' || this.ended || refusedFirst;
    this.opts.logger?.[transient ? 'debug' : 'warn']({ vin: this.vin, where, err: err.message }, 'car MQTT error');
  }
}

/** How long a graceful end may wait for the broker to acknowledge what is in flight. */
const END_GRACE_MS = 2_000;

/**
 * `end()` of MQTT.js waits, unforced, until every QoS 1 message in flight is acknowledged: a broker
 * that stops answering (a saturated one in the bench, one being killed in the chaos suite) would hold
 * the car, and whoever stops the fleet, forever. After END_GRACE_MS the socket is dropped instead.
 */
async function endBounded(client: MqttClient, force: boolean, clock: Clock): Promise<void> {
  let timer: ReturnType<Clock['setTimer']> | undefined;
  const ended = client.endAsync(force).then(() => true, () => true);
  const inTime = await Promise.race([ended, new Promise<boolean>((resolve) => (timer = clock.setTimer(END_GRACE_MS, () => resolve(false))))]);
  if (timer) clock.clearTimer(timer);
  if (!inTime) client.stream?.destroy();
}

