import { createHash } from 'node:crypto';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { topics } from '../../protocol/index.js';
import type { Clock, TimerHandle } from '../../lib/clock/index.js';
import { backoffMs } from './backoff.js';
import { redactUrl } from './config.js';
import { decodeOutboxEmail } from './decode.js';
import { SmtpFailure, SmtpSender, type SmtpOptions } from './smtp.js';

export interface MailGatewayOptions {
  mqtt: {
    url: string;
    /** Stable across restarts: the broker keeps the session's QoS 1 messages while the gateway is down. */
    clientId: string;
    username?: string | undefined;
    password?: string | undefined;
    /** Seconds; MQTT.js's default 60. */
    keepaliveSeconds?: number;
  };
  smtp: SmtpOptions;
  retry: { minMs: number; maxMs: number };
  clock: Clock;
  logger: Logger;
  /** How long `start()` keeps trying to reach the broker before it gives up (default 60 s). */
  connectDeadlineMs?: number;
}

export interface MailGatewayCounters {
  /** Accepted by the SMTP server and acknowledged on MQTT. */
  delivered: number;
  /** Logged with a code and acknowledged: never deliverable (decode.ts DROP_CODES). */
  dropped: number;
  /** Tries that failed for the SMTP server's sake and were tried again. */
  retries: number;
  /** Connections to the broker after the first (a broker restart, a keep-alive that ran out). */
  reconnects: number;
}

/** Thrown into a delivery that stops because the gateway does: its message is not acknowledged. */
class Stopping extends Error {
  constructor() {
    super('mail gateway stopping');
  }
}

/** CONNACK codes no retry changes (MQTT 3.1.1 §3.2.2.3), as services/incident/mqtt-link.ts. */
const FATAL_CONNACK = new Set([1, 2, 4, 5]);

/**
 * The mail gateway: consumes `v1/outbox/email` on a persistent MQTT session (clean: false, QoS 1) and
 * hands each email to the SMTP server. A message is acknowledged (PUBACK) only once the server has
 * accepted it (or it was dropped for good), so one published while the gateway is down, or received
 * while SMTP is down, waits in the broker's session and is delivered later. MQTT.js hands messages
 * over one at a time, in order: while SMTP is down the head message is retried with back-off and the
 * rest wait behind it.
 */
export class MailGateway {
  readonly counters: MailGatewayCounters = { delivered: 0, dropped: 0, retries: 0, reconnects: 0 };
  private client: MqttClient | null = null;
  private readonly smtp: SmtpSender;
  private stopping = false;
  /** Deliveries running, by payload digest: a redelivery after a reconnect joins the one running instead of sending again. */
  private readonly running = new Map<string, Promise<void>>();
  private readonly waits = new Set<{ timer: TimerHandle; reject: (err: Error) => void }>();

  constructor(private readonly opts: MailGatewayOptions) {
    this.smtp = new SmtpSender(opts.smtp);
  }

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  /** Connects and subscribes; resolves once the broker has the subscription (SUBACK). */
  async start(): Promise<void> {
    const { url, clientId, username, password, keepaliveSeconds } = this.opts.mqtt;
    const { logger, clock } = this.opts;
    const options: IClientOptions = { clientId, clean: false, protocolVersion: 4, reconnectPeriod: 1000, connectTimeout: 10_000, ...(keepaliveSeconds !== undefined ? { keepalive: keepaliveSeconds } : {}), ...(username ? { username, password } : {}) };
    const client = mqtt.connect(url, options);
    this.client = client;
    client.handleMessage = (packet, done) => {
      // No callback when it fails (the gateway stops): MQTT.js then sends no PUBACK and the broker
      // delivers the message again to this session (services/incident/mqtt-link.ts does the same).
      this.handle(packet.topic, packet.payload as Buffer).then(
        () => done(),
        (err: Error) => {
          if (!(err instanceof Stopping)) logger.error({ err }, 'outbox message not acknowledged');
        },
      );
    };
    let subscribed: (() => void) | undefined;
    let connects = 0;
    client.on('connect', (connack) => {
      if (connects++ > 0) this.counters.reconnects++;
      logger.info({ url, clientId, sessionPresent: connack.sessionPresent }, 'mail gateway connected to the broker');
      // On every connect: re-subscribing keeps the session's queued messages.
      client.subscribe(topics.outboxEmail, { qos: 1 }, (err) => {
        if (err) {
          if (!this.stopping) logger.error({ err }, 'subscribe failed');
        } else subscribed?.();
      });
    });
    client.on('error', (err) => !this.stopping && logger.warn({ err: err.message }, 'mqtt connection trouble'));
    client.on('offline', () => !this.stopping && logger.warn('broker unreachable; reconnecting'));
    const deadlineMs = this.opts.connectDeadlineMs ?? 60_000;
    await new Promise<void>((resolve, reject) => {
      const deadline = clock.setTimer(deadlineMs, () => {
        cleanup();
        reject(new Error(`broker ${url} not reachable within ${Math.round(deadlineMs / 1000)} s`));
      });
      const onError = (err: Error & { code?: number | string }) => {
        if (typeof err.code !== 'number' || !FATAL_CONNACK.has(err.code)) return;
        cleanup();
        const hint = err.code === 4 || err.code === 5 ? `; check MQTT_USERNAME / MQTT_PASSWORD${username ? ` (user ${username})` : ' (none set)'}` : '';
        reject(new Error(`broker ${url} refused the connection: ${err.message} (CONNACK ${err.code})${hint}`));
      };
      const cleanup = () => {
        clock.clearTimer(deadline);
        subscribed = undefined;
        client.off('error', onError);
      };
      subscribed = () => {
        cleanup();
        resolve();
      };
      client.on('error', onError);
    }).catch(async (err: unknown) => {
      this.stopping = true;
      await client.endAsync(true);
      throw err;
    });
    logger.info({ topic: topics.outboxEmail, smtp: redactUrl(this.opts.smtp.url) }, 'mail gateway consuming the email outbox');
  }

  /**
   * Stops: a delivery waiting to try again ends unacknowledged (the broker keeps the message); one
   * talking to the SMTP server finishes first (at most the SMTP timeout) and is acknowledged if sent.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const w of this.waits) {
      this.opts.clock.clearTimer(w.timer);
      w.reject(new Stopping());
    }
    this.waits.clear();
    await Promise.allSettled([...this.running.values()]);
    this.smtp.close();
    const client = this.client;
    if (!client) return;
    // Graceful: DISCONNECT after the last PUBACK (the gateway publishes nothing, so nothing outgoing
    // holds it up); at once when the broker is gone.
    await client.endAsync(!client.connected);
  }

  private async handle(topic: string, payload: Buffer): Promise<void> {
    if (this.stopping) throw new Stopping();
    const key = createHash('sha256').update(topic).update('\0').update(payload).digest('hex');
    const joined = this.running.get(key);
    if (joined) return joined;
    const delivery = this.deliver(topic, payload).finally(() => this.running.delete(key));
    this.running.set(key, delivery);
    return delivery;
  }

  private async deliver(topic: string, payload: Buffer): Promise<void> {
    const { logger, retry } = this.opts;
    const decoded = decodeOutboxEmail(payload);
    if (!decoded.ok) {
      this.counters.dropped++;
      logger.warn({ code: decoded.code, detail: decoded.detail, topic, bytes: payload.length }, `outbox message dropped: ${decoded.code}`);
      return;
    }
    const { email } = decoded;
    const about = { to: email.to, kind: email.kind };
    for (let attempt = 1; ; attempt++) {
      if (this.stopping) throw new Stopping();
      try {
        const sent = await this.smtp.send(email);
        this.counters.delivered++;
        logger.info({ ...about, messageId: sent.messageId, attempt, response: sent.response }, 'email delivered to the SMTP server');
        return;
      } catch (err) {
        if (!(err instanceof SmtpFailure)) throw err;
        if (err.permanent) {
          this.counters.dropped++;
          logger.warn({ ...about, code: 'smtp_rejected', err: err.message, ...err.detail }, 'outbox message dropped: smtp_rejected');
          return;
        }
        const waitMs = backoffMs(attempt, retry.minMs, retry.maxMs);
        this.counters.retries++;
        logger.warn({ ...about, code: 'smtp_unavailable', err: err.message, ...err.detail, attempt, retryInMs: waitMs }, 'SMTP server did not take the email; trying again');
        await this.wait(waitMs);
      }
    }
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const w = {
        timer: this.opts.clock.setTimer(ms, () => {
          this.waits.delete(w);
          resolve();
        }),
        reject,
      };
      this.waits.add(w);
    });
  }
}
