import type { Logger } from 'pino';
import pLimit, { type LimitFunction } from 'p-limit';
import type { DeadLetterReason } from '../../../protocol/index.js';
import type { Clock } from '../../../lib/clock/index.js';
import { BusyError } from '../core.js';
import type { Metrics } from '../metrics.js';
import { StoreUnavailable, type Store } from '../store/port.js';

export interface IngestRunnerOptions {
  /** The staged ingest: resolves when committed or dead-lettered, throws when neither happened. */
  handle: (topic: string, payload: Buffer) => Promise<unknown>;
  store: Pick<Store, 'ping'>;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  deadLetter: (topic: string, payload: Buffer, reason: DeadLetterReason, detail?: string) => void;
  /** INGEST_MAX_TRIES: failures with the store up after which the message is dead-lettered. */
  maxTries: number;
  /** How long a message may be held while the store is down before it is refused; Infinity: never. */
  holdMs: number;
  /** INGEST_MAX_IN_FLIGHT: messages processed at once; the others wait their turn in arrival order. */
  maxInFlight: number;
}

/** The runner is stopping: the message was not processed and must not be acknowledged. */
export class IngestStopped extends Error {
  constructor() {
    super('ingest is stopping; not acknowledged');
    this.name = 'IngestStopped';
  }
}

/** The store stayed unavailable for the whole hold: the message is refused, not acknowledged. */
export class IngestHeldTooLong extends Error {
  constructor(heldMs: number) {
    super(`the store was unavailable for ${heldMs} ms; not acknowledged`);
    this.name = 'IngestHeldTooLong';
  }
}

/**
 * Runs inbound messages through ingest for a transport, and decides what a failure means (issue 9):
 * - resolved: committed or dead-lettered; the transport acknowledges (PUBACK) only then;
 * - the store is unreachable (the adapter threw StoreUnavailable, or ping fails) or the car keeps
 *   changing under us (BusyError, the domain error `busy`): the message is held and tried again with
 *   backoff, for as long as `holdMs`, then given up (IngestHeldTooLong: no PUBACK, the car sends it
 *   again). Only an outage holds ingest, and `/readyz` says so meanwhile;
 * - any other failure (the data cannot be encoded, decoded or processed): tried `maxTries` times, then
 *   dead-lettered as `processing_failed` and acknowledged, so one poison message never stalls the rest.
 * Messages of one car run in arrival order; different cars run concurrently (one key per VIN), at
 * most `maxInFlight` at once (issue 15). Unbounded, a burst of 10,000 crashes started 10,000 ingests
 * together: with Redis their commands queued on one connection past the 2 s command timeout, failed as
 * outages and were all tried again (26,354 failed tries and 5,284 duplicates for 10,000 crashes in
 * one bench run). The hold counts from arrival, so in an outage the waiting ones are refused soon after
 * their turn comes instead of each holding for `holdMs` again.
 */
export class IngestRunner {
  private readonly tails = new Map<string, Promise<void>>();
  private readonly running = new Set<Promise<void>>();
  private readonly sleepers = new Set<() => void>();
  private stopping = false;
  private held = 0;
  private readonly limit: LimitFunction;

  constructor(private readonly opts: IngestRunnerOptions) {
    this.limit = pLimit(opts.maxInFlight);
  }

  /** Messages held right now because the store is unavailable. */
  get holding(): number {
    return this.held;
  }

  submit(topic: string, payload: Buffer): Promise<void> {
    if (this.stopping) return Promise.reject(new IngestStopped());
    const key = carKey(topic);
    const before = this.tails.get(key);
    const arrived = this.opts.clock.now();
    const turn = () => this.limit(() => this.process(topic, payload, arrived));
    const run = before ? before.then(turn) : turn();
    const tail = run.catch(() => {});
    this.tails.set(key, tail);
    this.running.add(tail);
    void tail.then(() => {
      this.running.delete(tail);
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return run;
  }

  /** Refuses new messages, wakes held ones (they fail: not acknowledged), waits for all to settle. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const wake of this.sleepers) wake();
    while (this.running.size > 0) await Promise.all([...this.running]);
  }

  private async process(topic: string, payload: Buffer, arrived: number): Promise<void> {
    if (this.stopping) throw new IngestStopped();
    const { clock, metrics, logger, maxTries, holdMs } = this.opts;
    let failures = 0;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.opts.handle(topic, payload);
        return;
      } catch (err) {
        if (this.stopping) throw new IngestStopped();
        // The adapter names an outage (StoreUnavailable); a failing ping finds the others.
        const kind = err instanceof BusyError ? 'busy' : err instanceof StoreUnavailable || (await this.storeDown()) ? 'store_unavailable' : 'processing';
        metrics.ingestFailures.inc({ kind });
        if (kind === 'processing' && ++failures >= maxTries) {
          const detail = `failed ${failures} times with the store up: ${(err as Error).message ?? String(err)}`;
          logger.error({ err, topic }, 'message dead-lettered after repeated failures (processing_failed)');
          metrics.deadLetters.inc({ reason: 'processing_failed' });
          this.opts.deadLetter(topic, payload, 'processing_failed', detail);
          return;
        }
        const heldMs = clock.now() - arrived;
        if (kind !== 'processing' && heldMs >= holdMs) throw new IngestHeldTooLong(heldMs);
        const delay = kind === 'processing' ? 50 * attempt : Math.min(100 * 2 ** (attempt - 1), 5_000);
        logger.warn({ err: (err as Error).message, topic, kind, attempt, retryInMs: delay }, 'ingest failed; not acknowledged, trying again');
        await this.hold(kind === 'store_unavailable', delay);
      }
    }
  }

  private async storeDown(): Promise<boolean> {
    try {
      await this.opts.store.ping();
      return false;
    } catch {
      return true;
    }
  }

  /** Waits on the clock; `stop()` cuts the wait short. */
  private async hold(outage: boolean, ms: number): Promise<void> {
    if (outage) this.opts.metrics.ingestHeld.set(++this.held);
    try {
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.sleepers.delete(wake);
          this.opts.clock.clearTimer(timer);
          resolve();
        };
        const timer = this.opts.clock.setTimer(ms, wake);
        this.sleepers.add(wake);
      });
    } finally {
      if (outage) this.opts.metrics.ingestHeld.set(--this.held);
    }
  }
}

/** `v1/vehicles/{vin}/…`: one key per car; anything else shares one key (it is refused anyway). */
function carKey(topic: string): string {
  const start = 'v1/vehicles/'.length;
  if (!topic.startsWith('v1/vehicles/')) return '';
  const end = topic.indexOf('/', start);
  return end === -1 ? topic.slice(start) : topic.slice(start, end);
}
