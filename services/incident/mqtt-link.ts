import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { inboundFilters, sharedFilter } from '../../protocol/index.js';
import type { Clock } from '../clock/index.js';
import type { Outbound } from './core.js';

export interface MqttLinkOptions {
  url: string;
  clientId: string;
  /** false: a persistent session, so QoS 1 events sent while this instance is down wait for it. */
  clean: boolean;
  username?: string;
  password?: string;
  /** MQTT_SHARED_GROUP: `$share/<group>/…` subscriptions on brokers that support them. */
  sharedGroup?: string;
  clock: Clock;
  logger: Logger;
}

export type MessageHandler = (topic: string, payload: Buffer) => Promise<void>;

/**
 * The service's MQTT client. Inbound messages are acknowledged (PUBACK) only after the handler
 * resolves, i.e. after the commit: if the store is down the handler keeps retrying, nothing is
 * acknowledged, and the broker redelivers what this instance never confirmed.
 */
export class MqttLink implements Outbound {
  private client: MqttClient | null = null;
  private handler: MessageHandler | null = null;
  private closing = false;

  constructor(private readonly opts: MqttLinkOptions) {}

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  async connect(handler: MessageHandler): Promise<void> {
    this.handler = handler;
    const { url, clientId, clean, username, password, logger } = this.opts;
    const client = mqtt.connect(url, {
      clientId,
      clean,
      protocolVersion: 4,
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
      ...(username ? { username, password } : {}),
    });
    this.client = client;
    client.handleMessage = (packet, done) => {
      void this.handle(packet.topic, packet.payload as Buffer).then(
        () => done(),
        (err: Error) => done(err),
      );
    };
    client.on('connect', (connack) => {
      logger.info({ url, clientId, sessionPresent: connack.sessionPresent }, 'connected to the broker');
      this.subscribe(connack.sessionPresent);
    });
    client.on('error', (err) => {
      // A dropped connection is reconnected by MQTT.js: a warning, not an error (and expected at shutdown).
      const code = (err as NodeJS.ErrnoException).code ?? '';
      const transient = this.closing || ['EPIPE', 'ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT'].includes(String(code));
      if (transient) logger.warn({ err: err.message }, 'mqtt connection trouble');
      else logger.error({ err }, 'mqtt error');
    });
    client.on('offline', () => !this.closing && logger.warn('broker unreachable; reconnecting'));
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
  }

  publish(topic: string, payload: string, options: { qos: 0 | 1; retain?: boolean }): void {
    this.client?.publish(topic, payload, { qos: options.qos, retain: options.retain ?? false }, (err) => {
      if (err && !this.closing) this.opts.logger.error({ err, topic }, 'publish failed');
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.client?.endAsync();
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
        if (err) this.opts.logger.error({ err }, 'subscribe failed');
      });
    if (group && sessionPresent) client.unsubscribe(filters, () => subscribe());
    else subscribe();
  }

  /** Retries transient failures (store outage) with backoff until they pass or the link closes. */
  private async handle(topic: string, payload: Buffer): Promise<void> {
    for (let delay = 100; ; delay = Math.min(delay * 2, 5_000)) {
      try {
        return await this.handler!(topic, payload);
      } catch (err) {
        if (this.closing) throw err;
        this.opts.logger.error({ err, topic, retryInMs: delay }, 'ingest failed; not acknowledged, retrying');
        await new Promise<void>((resolve) => this.opts.clock.setTimer(delay, resolve));
      }
    }
  }
}
