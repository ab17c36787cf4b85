import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../../lib/clock/index.js';
import type { Metrics } from './metrics.js';
import type { OutboxMessage, Store } from './store/port.js';

/** Where messages to cars and partners go: the embedded broker, or the service's MQTT connection. */
export interface Outbound {
  /**
   * Publishes; `done` is called once the broker has taken the message (for QoS 1 on a client link: its
   * PUBACK), with an error when it did not. It may never be called if the broker goes away first.
   */
  publish(topic: string, payload: string, options: { qos: 0 | 1; retain?: boolean }, done?: (err?: Error) => void): void;
}

export interface OutboxRelayOptions {
  store: Store;
  outbound: Outbound;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  /** A message still unconfirmed this long after its commit is sent again (OUTBOX_RETRY_MS). */
  retryMs: number;
}

/** How many pending messages one sweep reads. */
const SWEEP_BATCH = 500;

/**
 * Sends what commits owe the broker and forgets each message only once the broker confirmed it
 * (issue 9: "a command recorded in a commit whose publish did not happen is sent when the service is
 * back"). After every commit its messages are published at once; a sweep at start and every `retryMs`
 * sends again whatever is still unconfirmed after `retryMs`, from a crash, a Redis timeout or a broker
 * that was away. So a car can get a command twice: cars ignore a repeated commandId (contract), and a
 * retained lockout is always the newest state of that car (the outbox keeps one per car).
 */
export class OutboxRelay {
  private readonly inFlight = new Set<string>();
  private confirmed: Pick<OutboxMessage, 'key' | 'id'>[] = [];
  private flushing: Promise<void> | null = null;
  private timer: TimerHandle | null = null;
  private stopped = false;

  constructor(private readonly opts: OutboxRelayOptions) {}

  /** Sends committed messages now. */
  send(messages: OutboxMessage[]): void {
    for (const m of messages) this.publish(m);
  }

  /** Sends messages that no commit carries (an idempotent operator action's audit line): best effort. */
  sendUncommitted(messages: Pick<OutboxMessage, 'topic' | 'payload' | 'qos' | 'retain'>[]): void {
    for (const m of messages) this.opts.outbound.publish(m.topic, m.payload, { qos: m.qos, retain: m.retain });
  }

  /** Sends what earlier runs (or other instances) left unconfirmed, then sweeps on a timer. */
  async start(): Promise<number> {
    const resent = await this.sweep();
    this.schedule();
    return resent;
  }

  /** Stops sweeping and records the confirmations received so far. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) this.opts.clock.clearTimer(this.timer);
    this.timer = null;
    await this.flush();
  }

  /** Messages sent and not yet confirmed by the broker (or not yet forgotten by the store). */
  get pending(): number {
    return this.inFlight.size;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.opts.clock.setTimer(this.opts.retryMs, () => {
      this.timer = null;
      this.sweep()
        .catch((err: unknown) => this.opts.logger.warn({ err }, 'outbox sweep failed; trying again later'))
        .finally(() => this.schedule());
    });
  }

  private async sweep(): Promise<number> {
    const due = await this.opts.store.outboxPending(this.opts.clock.now() - this.opts.retryMs, SWEEP_BATCH);
    let resent = 0;
    for (const m of due) {
      if (this.inFlight.has(flightKey(m))) continue;
      resent++;
      this.publish(m);
    }
    if (resent > 0) {
      this.opts.metrics.outboxResent.inc(resent);
      this.opts.logger.info({ resent }, 'outbox: sent messages again that no broker had confirmed');
    }
    return resent;
  }

  private publish(m: OutboxMessage): void {
    const flight = flightKey(m);
    this.inFlight.add(flight);
    this.opts.outbound.publish(m.topic, m.payload, { qos: m.qos, retain: m.retain }, (err) => {
      // Refused: still in the store, the next sweep sends it again. Confirmed: it stays "in flight"
      // until the store has forgotten it, so a sweep in between does not send it twice.
      if (err) this.inFlight.delete(flight);
      else {
        this.confirmed.push({ key: m.key, id: m.id });
        this.flushSoon();
      }
    });
  }

  /** Confirmations go to the store in batches: one round trip for everything confirmed meanwhile. */
  private flushSoon(): void {
    if (this.flushing) return;
    this.flushing = Promise.resolve().then(() => this.flush());
  }

  private async flush(): Promise<void> {
    while (this.confirmed.length > 0) {
      const batch = this.confirmed;
      this.confirmed = [];
      try {
        await this.opts.store.outboxDone(batch);
      } catch (err) {
        // The messages were sent; if the store missed the confirmation they are sent once more later.
        this.opts.logger.warn({ err, count: batch.length }, 'outbox: could not record confirmations');
      }
      for (const m of batch) this.inFlight.delete(flightKey(m));
    }
    this.flushing = null;
  }
}

function flightKey(m: Pick<OutboxMessage, 'key' | 'id'>): string {
  return `${m.key}\u0000${m.id}`;
}
