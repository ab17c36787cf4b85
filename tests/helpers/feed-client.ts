import WebSocket from 'ws';
import type { FeedMessage, SnapshotMessage } from '../../protocol/index.js';

export type AnyFeedMessage = FeedMessage | SnapshotMessage;

/** A real WebSocket client of the operator feed that keeps every message and lets tests await them. */
export class FeedClient {
  readonly messages: AnyFeedMessage[] = [];
  closeCode: number | null = null;
  private waiters: Array<() => void> = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.messages.push(JSON.parse(data.toString()) as AnyFeedMessage);
      this.wake();
    });
    ws.on('close', (code) => {
      this.closeCode = code;
      this.wake();
    });
  }

  static connect(url: string, token?: string): Promise<FeedClient> {
    const ws = new WebSocket(url, token ? { headers: { authorization: `Bearer ${token}` } } : {});
    const client = new FeedClient(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`feed refused: HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  /**
   * Connects without `since` and waits for the snapshot (contract, "WebSocket"): from then on every case
   * committed comes as case.opened. Fire before it and a case committed meanwhile comes inside the
   * snapshot instead (a race CI lost twice: the stack's feeds, then the two-instance cluster's).
   */
  static async live(url: string, token?: string): Promise<FeedClient> {
    const client = await FeedClient.connect(url, token);
    try {
      await client.next((m) => m.type === 'snapshot', 30_000);
    } catch (err) {
      client.close();
      throw err;
    }
    return client;
  }

  /** Resolves with the first message (already received or coming) that matches, or rejects after `timeoutMs`. */
  async next<T = AnyFeedMessage>(predicate: (m: AnyFeedMessage) => boolean, timeoutMs = 5000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.messages.find(predicate);
      if (hit) return hit as T;
      if (this.closeCode !== null) throw new Error(`feed closed (${this.closeCode}) before the message came`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching feed message within ${timeoutMs} ms; got ${this.messages.map((m) => m.type).join(', ')}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Waits until at least `n` messages matching `predicate` have come. */
  async count(predicate: (m: AnyFeedMessage) => boolean, n: number, timeoutMs = 10_000): Promise<AnyFeedMessage[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hits = this.messages.filter(predicate);
      if (hits.length >= n) return hits;
      const left = deadline - Date.now();
      if (left <= 0 || this.closeCode !== null) throw new Error(`only ${hits.length} of ${n} feed messages within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  closed(timeoutMs = 5000): Promise<number> {
    if (this.closeCode !== null) return Promise.resolve(this.closeCode);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('feed did not close')), timeoutMs);
      this.ws.once('close', (code) => {
        clearTimeout(t);
        resolve(code);
      });
    });
  }

  close(): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}
