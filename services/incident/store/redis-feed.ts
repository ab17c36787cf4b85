import type { Redis } from 'ioredis';
import type { FeedMessage } from '../../../protocol/index.js';
import type { FeedListener } from './port.js';

/** Turns one stream entry's fields (`seq`, `msg`) into the feed message. */
export function parseFeedEntry(fields: string[]): FeedMessage {
  return messageOf(entrySeq(fields), fields);
}

function entrySeq(fields: string[]): number {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === 'seq') return Number(fields[i + 1]);
  return 0;
}

function messageOf(seq: number, fields: string[]): FeedMessage {
  let msg = '{}';
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === 'msg') msg = fields[i + 1]!;
  // Same shape as the memory store's `{ ...draft, seq }`.
  return { ...(JSON.parse(msg) as object), seq } as FeedMessage;
}

interface Subscriber {
  listener: FeedListener;
  /** Highest seq this listener has been given, or that was committed before it subscribed. */
  after: number;
}

export interface FeedReaderOptions {
  feedKey: string;
  seqKey: string;
  /** Seq the reader starts after (the current seq when the store was created). */
  startAfter: number;
  /** How long one XREAD blocks, in ms; bounds how long close() waits at worst. */
  blockMs?: number;
  onError?: (err: unknown) => void;
}

/**
 * Reads the feed stream on a dedicated blocking connection (XREAD BLOCK) and hands every entry, in seq
 * order, to every listener once: what any instance commits reaches every instance's listeners.
 *
 * "From now on" (port.ts `onFeed`): a listener gets messages with seq above both what the reader has
 * already passed and what this instance itself has committed. A message another instance committed
 * just before may still arrive (instances share no clock); consumers compare seqs (snapshot.seq) anyway.
 */
export class FeedReader {
  private readonly subscribers = new Set<Subscriber>();
  private cursor: number;
  private localHigh = 0;
  /**
   * This instance's own commits not read back yet, by seq: the stream entry is then not parsed again
   * (issue 15: a JSON.parse per feed message was 4% of the service's thread in a Redis burst).
   */
  private readonly own = new Map<number, FeedMessage>();
  private closed = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private failing = false;

  constructor(
    private readonly redis: Redis,
    private readonly options: FeedReaderOptions,
  ) {
    this.cursor = options.startAfter;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /**
   * Called with this instance's own commits (seq order): later listeners skip them, and the reader
   * hands these objects on when it reads their entries (the commit's reply may come after them: then
   * there is nothing to keep).
   */
  committed(messages: FeedMessage[]): void {
    const last = messages.at(-1)?.seq ?? 0;
    if (last > this.localHigh) this.localHigh = last;
    for (const m of messages) if (m.seq > this.cursor) this.own.set(m.seq, m);
  }

  subscribe(listener: FeedListener): () => void {
    const sub: Subscriber = { listener, after: Math.max(this.cursor, this.localHigh) };
    this.subscribers.add(sub);
    return () => {
      this.subscribers.delete(sub);
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.subscribers.clear();
    this.wake?.();
    // Rejects the pending XREAD at once instead of waiting out BLOCK.
    this.redis.disconnect();
    await this.loop;
  }

  private async run(): Promise<void> {
    const blockMs = this.options.blockMs ?? 1_000;
    while (!this.closed) {
      try {
        if (this.failing) await this.recover();
        const reply = await this.redis.xread('COUNT', 512, 'BLOCK', blockMs, 'STREAMS', this.options.feedKey, `${this.cursor}-0`);
        if (this.closed) break;
        for (const [, entries] of reply ?? []) for (const [, fields] of entries) this.deliver(this.messageAt(fields));
      } catch (err) {
        if (this.closed) break;
        if (!this.failing) this.options.onError?.(err);
        this.failing = true;
        await this.pause(250);
      }
    }
  }

  /**
   * After a lost connection: a Redis that came back without its data (no AOF; see infra/redis.conf)
   * restarts seq from 0. Follow it rather than wait forever for seqs above the old cursor: everything
   * in the new stream was committed after the restart, so read it from the start. The lost messages are
   * gone; feed clients see seq go back and must take a fresh snapshot.
   */
  private async recover(): Promise<void> {
    const current = Number((await this.redis.get(this.options.seqKey)) ?? 0);
    if (current < this.cursor) {
      this.options.onError?.(new Error(`feed seq went back from ${this.cursor} to ${current}: Redis lost its data`));
      this.cursor = 0;
      this.localHigh = 0;
      this.own.clear();
      for (const sub of this.subscribers) sub.after = 0;
    }
    this.failing = false;
  }

  private messageAt(fields: string[]): FeedMessage {
    const seq = entrySeq(fields);
    // Own commits the reader went past (a trimmed stream) are dropped with it; keys come in seq order.
    for (const k of this.own.keys()) {
      if (k >= seq) break;
      this.own.delete(k);
    }
    const mine = this.own.get(seq);
    if (!mine) return messageOf(seq, fields);
    this.own.delete(seq);
    return mine;
  }

  private deliver(message: FeedMessage): void {
    if (message.seq <= this.cursor) return;
    if (message.seq !== this.cursor + 1) {
      // The stream was trimmed past this reader (it lagged more than feedHistory behind): listeners see
      // the jump in seq and must resynchronise (a fresh snapshot), as a resuming feed client would.
      this.options.onError?.(new Error(`feed gap: seq ${this.cursor + 1}..${message.seq - 1} were trimmed before this instance read them`));
    }
    this.cursor = message.seq;
    for (const sub of [...this.subscribers]) {
      if (message.seq <= sub.after) continue;
      sub.after = message.seq;
      try {
        sub.listener(message);
      } catch (err) {
        // One listener's bug must not stop the feed for the others.
        this.options.onError?.(err);
      }
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}
