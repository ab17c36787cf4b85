import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import type { Histogram } from 'hdr-histogram-js';
import { recordMs } from './hist.js';

interface OpenedCase {
  eventId?: string;
  openedAt?: string;
}

interface Pending {
  sentAt: number;
  /** Wall clock at publish, to compare with the case's `openedAt` (the service's clock, same machine). */
  sentWall: number;
  hist: Histogram;
  /** publish -> openedAt, and openedAt -> on the operator's socket (millisecond resolution). */
  split?: { toOpened: Histogram; toFeed: Histogram };
}

/**
 * The operator's side of the measurement: one WebSocket client of the live feed in the bench process.
 * `expect(eventId)` stamps `performance.now()` just before the car publishes; the `case.opened` whose
 * `case.eventId` matches is stamped on arrival with the same monotonic clock, and the difference goes
 * into the given histogram. The JSON of every feed message is parsed, as an operator console would.
 */
export class FeedWatch {
  private readonly pending = new Map<string, Pending>();
  private waiters: Array<() => void> = [];
  /** Arrival time of the last matched case.opened. */
  lastArrival = 0;
  opened = 0;
  unmatched = 0;
  /** `case.opened` for an eventId whose case was already on the feed: one crash, two cases. */
  duplicated = 0;
  private readonly matched = new Set<string>();
  /**
   * Expected cases first seen inside a snapshot: after a 1013 the watch resumes with `since`, and when
   * the service no longer holds that far back (FEED_HISTORY) it sends a snapshot instead, as it would
   * to a console. The case is then in front of the operator, so it counts as arrived, here.
   */
  fromSnapshot = 0;
  /** Close codes of the feed socket seen so far (1013: too slow); the watch resumes with `since` like a console. */
  readonly closeCodes: number[] = [];
  private lastSeq = -1;
  private closing = false;
  private ws: WebSocket;

  private constructor(
    private readonly url: string,
    ws: WebSocket,
  ) {
    this.ws = ws;
    this.wire(ws);
  }

  static connect(httpUrl: string): Promise<FeedWatch> {
    const url = `${httpUrl.replace(/^http/, 'ws')}/v1/operator/ws`;
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const watch = new FeedWatch(url, ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(watch));
      ws.once('error', reject);
    });
  }

  get closeCode(): number | null {
    return this.closing ? (this.closeCodes.at(-1) ?? null) : null;
  }

  private wire(ws: WebSocket): void {
    ws.on('message', (data: Buffer) => this.onMessage(data));
    ws.on('error', () => {});
    ws.on('close', (code) => {
      this.closeCodes.push(code);
      if (this.closing) return this.wake();
      // Resume after the last message seen, as the operator console does (contract: `?since=`).
      setTimeout(() => {
        if (this.closing) return;
        this.ws = new WebSocket(`${this.url}?since=${this.lastSeq}`, { perMessageDeflate: false });
        this.wire(this.ws);
      }, 100);
    });
  }

  expect(eventId: string, hist: Histogram, split?: Pending['split']): void {
    this.pending.set(eventId, { sentAt: performance.now(), sentWall: Date.now(), hist, ...(split ? { split } : {}) });
  }

  /** Event ids still waiting for their case. */
  outstanding(ids?: Iterable<string>): number {
    if (!ids) return this.pending.size;
    let n = 0;
    for (const id of ids) if (this.pending.has(id)) n++;
    return n;
  }

  /** Waits until none of `ids` is outstanding, or the timeout; returns how many are still missing. */
  async settle(ids: string[], timeoutMs: number): Promise<number> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const left = this.outstanding(ids);
      if (left === 0 || this.closeCode !== null || performance.now() >= deadline) return left;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(200, deadline - performance.now()));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Forgets ids given up on (they count as lost, and a late case must not land in a later histogram). */
  forget(ids: Iterable<string>): void {
    for (const id of ids) this.pending.delete(id);
  }

  close(): void {
    this.closing = true;
    this.ws.close();
  }

  private onMessage(data: Buffer): void {
    const now = performance.now();
    const wall = Date.now();
    const m = JSON.parse(data.toString()) as { type: string; seq?: number; case?: OpenedCase; cases?: OpenedCase[] };
    if (typeof m.seq === 'number') this.lastSeq = m.seq;
    if (m.type === 'snapshot') {
      for (const c of m.cases ?? []) if (c.eventId !== undefined && this.arrived(c, now, wall)) this.fromSnapshot++;
      return;
    }
    if (m.type !== 'case.opened') return;
    this.opened++;
    const id = m.case?.eventId;
    if (id !== undefined && this.arrived(m.case!, now, wall)) return;
    if (id !== undefined && this.matched.has(id)) this.duplicated++;
    else this.unmatched++;
  }

  /** Records an expected case's arrival; false when the case was not expected (or already came). */
  private arrived(c: OpenedCase, now: number, wall: number): boolean {
    const id = c.eventId!;
    const p = this.pending.get(id);
    if (!p) return false;
    this.pending.delete(id);
    this.matched.add(id);
    recordMs(p.hist, now - p.sentAt);
    const opened = Date.parse(c.openedAt ?? '');
    if (p.split && Number.isFinite(opened)) {
      recordMs(p.split.toOpened, Math.max(0, opened - p.sentWall));
      recordMs(p.split.toFeed, Math.max(0, wall - opened));
    }
    this.lastArrival = now;
    if (this.waiters.length) this.wake();
    return true;
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}
