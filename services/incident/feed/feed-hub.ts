import type { WebSocket } from 'ws';
import { FEED_CLOSE, isoTime, type FeedMessage } from '../../../protocol/index.js';
import type { Clock, TimerHandle } from '../../../lib/clock/index.js';
import type { Metrics } from '../metrics.js';
import type { Store } from '../store/port.js';
import { judgeBuffer, newWatch, pingDue, pong, sweepEveryMs, type BufferWatch, type FeedLimits, type SlowReason } from './backpressure.js';
import { SnapshotBatch, SnapshotSource } from './snapshot.js';

interface Client {
  ws: WebSocket;
  /** Highest seq sent to this client; live messages at or below it are not sent again. */
  sentSeq: number;
  /** Live messages that arrived while the client's snapshot or history was being read. */
  pending: FeedMessage[] | null;
  watch: BufferWatch;
}

/**
 * The operator feed (contract, "WebSocket"): a snapshot or a `since` replay, then live messages, in
 * one `seq` order, with no gaps and no duplicates. A client that cannot keep up is closed with 1013.
 * Bounded: the snapshot in bytes, each client's unsent bytes and how long they may sit unread, the
 * number of clients (FeedLimits).
 */
export class FeedHub {
  private clients = new Set<Client>();
  private unsubscribe: () => void;
  private readonly snapshots: SnapshotSource;
  /** Each live message serialised once, however many clients it goes to (they share the Buffer). */
  private readonly frames = new WeakMap<FeedMessage, Buffer>();
  private sweepTimer: TimerHandle | null = null;
  private closed = false;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
    private readonly limits: FeedLimits,
  ) {
    this.snapshots = new SnapshotSource(async () => new SnapshotBatch(await store.feedSnapshot(), this.limits.maxSnapshotBytes));
    this.unsubscribe = store.onFeed((m) => this.broadcast(m));
  }

  /** Whether one more client may attach (FEED_MAX_CLIENTS); the route answers 503 before the upgrade when not. */
  hasRoom(): boolean {
    return this.clients.size < this.limits.maxClients;
  }

  /** `epoch`: the history the client's `since` belongs to; another one means the client must reset. */
  async attach(ws: WebSocket, since: number | undefined, epoch?: string): Promise<void> {
    if (!this.hasRoom()) {
      // Only when upgrades raced past the route's 503 check: the count here is the one that holds.
      this.metrics.feedClosed.inc({ reason: 'too_many_clients' });
      ws.close(FEED_CLOSE.tooManyClients, 'too many feed clients');
      return;
    }
    // Subscribe before reading, so that nothing committed during the read is missed.
    const client: Client = { ws, sentSeq: -1, pending: [], watch: newWatch(this.clock.now()) };
    this.clients.add(client);
    this.metrics.feedClients.set(this.clients.size);
    ws.on('close', () => this.detach(client));
    ws.on('pong', () => pong(client.watch, this.clock.now()));
    this.armSweep();
    try {
      const current = await this.store.feedEpoch();
      const history = since === undefined || (epoch !== undefined && epoch !== current) ? null : await this.store.feedSince(since);
      if (history) {
        client.sentSeq = since!;
        for (const m of history) this.send(client, m);
      } else {
        // One read and one serialisation for all clients that can share it (SnapshotSource).
        const batch = await this.snapshots.next(current);
        client.sentSeq = batch.seq;
        this.write(client, batch.fragments(isoTime(this.clock.now()), since !== undefined));
      }
      const pending = client.pending ?? [];
      client.pending = null;
      for (const m of pending) this.send(client, m);
    } catch {
      this.metrics.feedClosed.inc({ reason: 'unavailable' });
      ws.close(1011, 'feed unavailable');
    }
  }

  /** Closes every feed socket (shutdown, and tests of reconnecting clients). */
  dropAll(code: number = FEED_CLOSE.shuttingDown, reason = 'server closing'): void {
    for (const c of this.clients) c.ws.close(code, reason);
  }

  close(): void {
    this.closed = true;
    this.unsubscribe();
    // The sweep timer would keep a stopped process alive (lib/clock/clock.ts).
    if (this.sweepTimer) this.clock.clearTimer(this.sweepTimer);
    this.sweepTimer = null;
    this.dropAll();
  }

  get size(): number {
    return this.clients.size;
  }

  private broadcast(message: FeedMessage): void {
    this.snapshots.invalidate();
    for (const c of this.clients) {
      if (c.pending) c.pending.push(message);
      else this.send(c, message);
    }
  }

  private send(client: Client, message: FeedMessage): void {
    if (message.seq <= client.sentSeq) return;
    client.sentSeq = message.seq;
    let bytes = this.frames.get(message);
    if (!bytes) {
      bytes = Buffer.from(JSON.stringify(message));
      this.frames.set(message, bytes);
    }
    this.write(client, [bytes]);
  }

  /** Writes one text message, given as its fragments (a snapshot shares its case list between clients). */
  private write(client: Client, fragments: Buffer[]): void {
    const { ws, watch } = client;
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount === 0) watch.progressAt = this.clock.now(); // the stall clock starts with the first unread byte
    fragments.forEach((bytes, i) => {
      ws.send(bytes, { binary: false, fin: i === fragments.length - 1 });
      watch.written += bytes.length;
    });
    // Contract: a slow consumer is disconnected rather than slowing the service; checked right after
    // each write as well as by the sweep, so the message that overfills the buffer is the last one.
    if (ws.bufferedAmount > this.limits.maxBufferedBytes) this.closeSlow(client, 'buffer_full');
  }

  /**
   * The sweep, about every second while clients are attached: a client that stopped reading is found
   * by its buffer, or by an unanswered ping, even when no new message is written to it (a snapshot,
   * then a quiet queue), and closed within FEED_STALL_SECONDS (backpressure.ts).
   */
  private armSweep(): void {
    if (this.sweepTimer || this.closed) return;
    this.sweepTimer = this.clock.setTimer(sweepEveryMs(this.limits), () => {
      this.sweepTimer = null;
      this.sweep();
      // No clients, no timer: nothing keeps a virtual clock busy or an idle process awake.
      if (this.clients.size > 0) this.armSweep();
    });
  }

  private sweep(): void {
    const now = this.clock.now();
    for (const c of this.clients) {
      if (c.ws.readyState !== c.ws.OPEN) continue;
      const reason = judgeBuffer(c.watch, c.ws.bufferedAmount, now, this.limits);
      if (reason) this.closeSlow(c, reason);
      else if (pingDue(c.watch, c.ws.bufferedAmount, now, this.limits)) {
        c.watch.pingAt = now;
        c.ws.ping();
      }
    }
  }

  private closeSlow(client: Client, reason: SlowReason): void {
    // Contract "WebSocket": 1013, and the client resumes with since. The close frame queues behind the
    // unread bytes; ws destroys the socket if the close handshake has not finished 30 s later.
    this.metrics.feedSlowClosed.inc();
    this.metrics.feedClosed.inc({ reason });
    client.ws.close(FEED_CLOSE.tooSlow, reason === 'stalled' ? 'not reading: reconnect with since' : 'too slow: reconnect with since');
    this.detach(client);
  }

  private detach(client: Client): void {
    if (this.clients.delete(client)) this.metrics.feedClients.set(this.clients.size);
  }
}
