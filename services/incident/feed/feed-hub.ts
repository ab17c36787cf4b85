import type { WebSocket } from 'ws';
import { FEED_CLOSE, isoTime, type FeedMessage, type SnapshotMessage } from '../../../protocol/index.js';
import type { Clock } from '../../clock/index.js';
import type { Metrics } from '../metrics.js';
import type { Store } from '../store/port.js';

interface Client {
  ws: WebSocket;
  /** Highest seq sent to this client; live messages at or below it are not sent again. */
  sentSeq: number;
  /** Live messages that arrived while the client's snapshot or history was being read. */
  pending: FeedMessage[] | null;
}

/**
 * The operator feed (contract, "WebSocket"): a snapshot or a `since` replay, then live messages, in
 * one `seq` order, with no gaps and no duplicates. A client that cannot keep up is closed with 1013.
 */
export class FeedHub {
  private clients = new Set<Client>();
  private unsubscribe: () => void;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
    private readonly maxBufferedBytes: number,
  ) {
    this.unsubscribe = store.onFeed((m) => this.broadcast(m));
  }

  /** `epoch`: the history the client's `since` belongs to; another one means the client must reset. */
  async attach(ws: WebSocket, since: number | undefined, epoch?: string): Promise<void> {
    // Subscribe before reading, so that nothing committed during the read is missed.
    const client: Client = { ws, sentSeq: -1, pending: [] };
    this.clients.add(client);
    this.metrics.feedClients.set(this.clients.size);
    ws.on('close', () => this.detach(client));
    try {
      const sameHistory = epoch === undefined || epoch === (await this.store.feedEpoch());
      const history = since === undefined || !sameHistory ? null : await this.store.feedSince(since);
      if (history) {
        client.sentSeq = since!;
        for (const m of history) this.send(client, m);
      } else {
        const snap = await this.store.feedSnapshot();
        const message: SnapshotMessage = {
          type: 'snapshot',
          seq: snap.seq,
          at: isoTime(this.clock.now()),
          cases: snap.cases,
          epoch: snap.epoch,
          ...(since !== undefined ? { reset: true } : {}),
        };
        client.sentSeq = snap.seq;
        this.write(client, message);
      }
      const pending = client.pending ?? [];
      client.pending = null;
      for (const m of pending) this.send(client, m);
    } catch {
      ws.close(1011, 'feed unavailable');
    }
  }

  /** Closes every feed socket (shutdown, and tests of reconnecting clients). */
  dropAll(code: number = FEED_CLOSE.shuttingDown, reason = 'server closing'): void {
    for (const c of this.clients) c.ws.close(code, reason);
  }

  close(): void {
    this.unsubscribe();
    this.dropAll();
  }

  get size(): number {
    return this.clients.size;
  }

  private broadcast(message: FeedMessage): void {
    for (const c of this.clients) {
      if (c.pending) c.pending.push(message);
      else this.send(c, message);
    }
  }

  private send(client: Client, message: FeedMessage): void {
    if (message.seq <= client.sentSeq) return;
    client.sentSeq = message.seq;
    this.write(client, message);
  }

  private write(client: Client, message: FeedMessage | SnapshotMessage): void {
    const { ws } = client;
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > this.maxBufferedBytes) {
      // Contract: a slow consumer is disconnected rather than slowing the service; it resumes with since.
      this.metrics.feedSlowClosed.inc();
      ws.close(FEED_CLOSE.tooSlow, 'too slow: reconnect with since');
      this.detach(client);
      return;
    }
    ws.send(JSON.stringify(message));
  }

  private detach(client: Client): void {
    if (this.clients.delete(client)) this.metrics.feedClients.set(this.clients.size);
  }
}
