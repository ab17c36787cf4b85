import mqtt, { type IPublishPacket, type MqttClient, type Packet } from 'mqtt';
import type { Logger } from 'pino';
import { inboundFilters, sharedFilter } from '../../protocol/index.js';
import type { Clock } from '../../lib/clock/index.js';
import type { Outbound } from './outbox-relay.js';

export interface MqttLinkOptions {
  url: string;
  /** Stable across restarts (MQTT_CLIENT_ID, else `anshin-<host>-<HTTP_PORT>`): the session is ours again. */
  clientId: string;
  username?: string;
  password?: string;
  /** MQTT_SHARED_GROUP: `$share/<group>/…` subscriptions on brokers that support them. */
  sharedGroup?: string;
  /** How long start-up keeps trying to reach the broker before it gives up. */
  connectDeadlineMs?: number;
  /** INGEST_MAX_IN_FLIGHT (default 64): inbound messages handled at once, cars concurrently, one car's in order (ingest/runner.ts). */
  maxInFlight?: number;
  clock: Clock;
  logger: Logger;
}

/** Resolves when the message is committed or dead-lettered; rejects when it must not be acknowledged. */
export type MessageHandler = (topic: string, payload: Buffer) => Promise<void>;

/** Issue 15: inbound messages in the service at once; Mosquitto sends at most `max_inflight_messages` (100) QoS 1 ones. */
const DEFAULT_MAX_IN_FLIGHT = 64;

/** One inbound message in the window, in arrival order; its PUBACK goes out once it and all before it settled. */
interface InFlight {
  messageId: number | undefined;
  settled: 'committed' | 'refused' | null;
}

/** CONNACK codes that no retry will change (MQTT 3.1.1 §3.2.2.3): bad credentials, not authorised. */
const FATAL_CONNACK = new Set([1, 2, 4, 5]);

/**
 * The service's connection to an external broker (MQTT_URL). A persistent session (clean: false)
 * under a stable client id: while this instance is down or restarting, the broker queues the QoS 1
 * events for it, and what it received but never acknowledged is delivered again (MQTT 3.1.1 §4.4).
 * Inbound messages are acknowledged (PUBACK) only after the handler resolves, i.e. after the commit.
 */
export class MqttLink implements Outbound {
  private client: MqttClient | null = null;
  private handler: MessageHandler | null = null;
  private closing = false;
  /** Messages handed to the handler and not settled (or settled, waiting for an earlier one's PUBACK). */
  private readonly window: InFlight[] = [];
  private inFlight = 0;
  /** MQTT.js's "read the next packet", held while the window is full (back-pressure to the broker). */
  private readonly paused: Array<() => void> = [];
  /** The message whose PUBACK MQTT.js is about to send (set around the synchronous `done()` call). */
  private capturing: InFlight | null = null;
  private sendPacket: ((packet: Packet, cb?: () => void) => void) | null = null;

  constructor(private readonly opts: MqttLinkOptions) {}

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  /**
   * Connects and subscribes; keeps trying (a broker restarting, a session the broker still holds for
   * our previous process) until connected or `connectDeadlineMs` passes.
   */
  async connect(handler: MessageHandler): Promise<void> {
    this.handler = handler;
    const { url, clientId, username, password, logger } = this.opts;
    const client = mqtt.connect(url, {
      clientId,
      clean: false,
      protocolVersion: 4,
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
      ...(username ? { username, password } : {}),
    });
    this.client = client;
    this.takeOverPubacks(client);
    client.handleMessage = (packet, done) => this.receive(packet, done);
    client.on('connect', (connack) => {
      logger.info({ url, clientId, sessionPresent: connack.sessionPresent }, 'connected to the broker');
      this.subscribe(connack.sessionPresent);
    });
    client.on('error', (err) => {
      // A dropped connection is reconnected by MQTT.js: a warning, not an error (and expected at shutdown).
      const code = (err as NodeJS.ErrnoException).code ?? '';
      const transient = this.closing || ['EPIPE', 'ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT'].includes(String(code)) || /connack timeout/i.test(err.message);
      if (transient) logger.warn({ err: err.message }, 'mqtt connection trouble');
      else logger.error({ err }, 'mqtt error');
    });
    client.on('offline', () => !this.closing && logger.warn('broker unreachable; reconnecting'));
    await new Promise<void>((resolve, reject) => {
      const deadline = this.opts.clock.setTimer(this.opts.connectDeadlineMs ?? 60_000, () => {
        cleanup();
        reject(new Error(`broker ${url} not reachable within ${Math.round((this.opts.connectDeadlineMs ?? 60_000) / 1000)} s`));
      });
      const onConnect = () => {
        cleanup();
        resolve();
      };
      const onError = (err: Error & { code?: number | string }) => {
        if (typeof err.code === 'number' && FATAL_CONNACK.has(err.code)) {
          cleanup();
          // 4 and 5: the broker does not take this identity (issue 11: the service's own credentials).
          const hint = err.code === 4 || err.code === 5 ? `; check MQTT_USERNAME / MQTT_PASSWORD${username ? ` (user ${username})` : ' (none set)'}` : '';
          reject(Object.assign(new Error(`broker ${url} refused the connection: ${err.message} (CONNACK ${err.code})${hint}`, { cause: err }), { code: err.code }));
        }
      };
      const cleanup = () => {
        this.opts.clock.clearTimer(deadline);
        client.off('connect', onConnect);
        client.off('error', onError);
      };
      client.on('connect', onConnect);
      client.on('error', onError);
    }).catch(async (err) => {
      await client.endAsync(true);
      throw err;
    });
  }

  publish(topic: string, payload: string, options: { qos: 0 | 1; retain?: boolean }, done?: (err?: Error) => void): void {
    if (!this.client) return done?.(new Error('not connected'));
    this.client.publish(topic, payload, { qos: options.qos, retain: options.retain ?? false }, (err) => {
      if (err && !this.closing) this.opts.logger.warn({ err: err.message, topic }, 'publish failed');
      done?.(err ?? undefined);
    });
  }

  /** Stops taking messages: new ones get no PUBACK (the broker keeps them for this session). */
  stopIntake(): void {
    this.closing = true;
  }

  /**
   * Forced: a message refused while closing holds MQTT.js's inbound stream (no PUBACK is its point), and
   * the broker's PUBACKs for our own publishes queue behind it, so a graceful end would wait for ever.
   * What we published without a PUBACK yet is still in the outbox and is sent again at the next start.
   */
  async close(): Promise<void> {
    this.closing = true;
    await this.client?.endAsync(true);
  }

  /**
   * Subscribes on every connect: re-subscribing keeps the session's queued messages. A restored session
   * with shared subscriptions is first unsubscribed: Mosquitto 2.0.11 restores them from its persistence
   * file in a state that delivers nothing, even to a new SUBSCRIBE (tests/integration/fleet-broker-restart).
   * The gap is one round trip, in which other members of the group still receive the events.
   */
  private subscribe(sessionPresent: boolean): void {
    const group = this.opts.sharedGroup;
    const filters = Object.values(inboundFilters).map((f) => sharedFilter(group, f));
    const client = this.client!;
    const subscribe = () =>
      client.subscribe(filters, { qos: 1 }, (err) => {
        if (err && !this.closing) this.opts.logger.error({ err }, 'subscribe failed');
      });
    if (group && sessionPresent) client.unsubscribe(filters, () => subscribe());
    else subscribe();
  }

  /**
   * Issue 15: MQTT.js reads the next packet only once a message's PUBACK is written, so handling one
   * message at a time made every car's crash wait for the commit of the one before it (a few Redis round
   * trips). Here up to `maxInFlight` messages are in the service at once: ingest keeps one car's in
   * order and runs cars concurrently. A PUBACK is still written only after its message committed
   * (issue 9), and in the order the messages came [MQTT-4.6.0-2]; a full window stops reading from the
   * socket, so the broker holds the rest. A message refused (closing) gets no PUBACK, as before.
   */
  private receive(packet: IPublishPacket, done: (err?: Error) => void): void {
    const entry: InFlight = { messageId: packet.qos > 0 ? packet.messageId : undefined, settled: null };
    this.window.push(entry);
    this.inFlight++;
    this.handle(packet.topic, packet.payload as Buffer).then(
      () => this.settle(entry, 'committed'),
      (err: Error) => {
        // No PUBACK while closing (or refused): the broker delivers the message again to this session.
        if (!this.closing) this.opts.logger.warn({ err: err.message, topic: packet.topic }, 'message not acknowledged');
        this.settle(entry, 'refused');
      },
    );
    if (this.closing) return; // as before: a refused message holds MQTT.js's inbound stream
    // QoS 0: `done()` is only "read the next packet".
    if (entry.messageId === undefined) return this.readOn(() => done());
    // QoS 1: MQTT.js answers `done()` with its PUBACK at once; takeOverPubacks keeps it for `settle`.
    this.capturing = entry;
    try {
      done();
    } finally {
      this.capturing = null;
    }
  }

  /** MQTT.js's PUBACK for the message being received is held (written by `settle`), its "read on" kept by the window. */
  private takeOverPubacks(client: MqttClient): void {
    const raw = client as unknown as { _sendPacket: (packet: Packet, cb?: () => void) => void };
    const send = raw._sendPacket.bind(client);
    this.sendPacket = send;
    raw._sendPacket = (packet, cb) => {
      const entry = this.capturing;
      if (!entry || packet.cmd !== 'puback' || packet.messageId !== entry.messageId) return send(packet, cb);
      this.capturing = null;
      this.readOn(cb ?? (() => {}));
    };
  }

  private readOn(next: () => void): void {
    if (this.inFlight < (this.opts.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT)) next();
    else this.paused.push(next);
  }

  private settle(entry: InFlight, how: 'committed' | 'refused'): void {
    entry.settled = how;
    this.inFlight--;
    // PUBACKs in arrival order: a message settled early waits for those before it.
    while (this.window.length > 0 && this.window[0]!.settled !== null) {
      const done = this.window.shift()!;
      if (done.settled === 'committed' && done.messageId !== undefined) this.sendPacket?.({ cmd: 'puback', messageId: done.messageId });
    }
    const next = this.paused.shift();
    if (next) next();
  }

  private handle(topic: string, payload: Buffer): Promise<void> {
    if (this.closing) return Promise.reject(new Error('closing'));
    return this.handler!(topic, payload);
  }
}
