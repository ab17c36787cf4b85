import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { SnapshotMessage, type Case } from '../../protocol/index.js';
import { EventEmitter } from 'node:events';
import type { WebSocket } from 'ws';
import { VirtualClock } from '../../lib/clock/index.js';
import { loadConfig } from '../../services/config.js';
import { FeedHub } from '../../services/incident/feed/feed-hub.js';
import { Metrics } from '../../services/incident/metrics.js';
import { MemoryStore } from '../../services/incident/store/memory-store.js';
import { feedLimits, judgeBuffer, newWatch, pingDue, pong, type BufferWatch, type FeedLimits } from '../../services/incident/feed/backpressure.js';
import { SnapshotBatch, SnapshotSource } from '../../services/incident/feed/snapshot.js';
import type { FeedSnapshot } from '../../services/incident/store/port.js';
import { makeCase } from '../helpers/browser-cases.js';

/**
 * Contract "WebSocket" (a client that cannot keep up is closed with 1013) and the issue "no single
 * event that can stall the rest": the rules the feed hub applies, given / when / then, time passed in.
 */

const limits: FeedLimits = { maxBufferedBytes: 100_000, maxSnapshotBytes: 50_000, stallMs: 30_000, maxClients: 10 };

/** Replays looks at one client's buffer: each step writes `write` bytes, then sees `buffered` at `at` ms. */
function looks(steps: Array<{ at: number; write?: number; buffered: number }>, watch: BufferWatch = newWatch(0)) {
  return steps.map(({ at, write = 0, buffered }) => {
    watch.written += write;
    return judgeBuffer(watch, buffered, at, limits);
  });
}

describe('feed backpressure (judgeBuffer): who is closed with 1013', () => {
  it('given more unsent bytes than FEED_MAX_BUFFERED_BYTES, then buffer_full at once', () => {
    expect(looks([{ at: 1000, write: 200_000, buffered: 100_001 }])).toEqual(['buffer_full']);
  });

  it('given a client that reads nothing of a 60 kB snapshot, then stalled once FEED_STALL_SECONDS pass, not before', () => {
    const verdicts = looks([
      { at: 1000, write: 60_000, buffered: 40_000 }, // the kernel took 20 kB: progress
      { at: 2000, buffered: 40_000 },
      { at: 30_999, buffered: 40_000 },
      { at: 31_000, buffered: 40_000 },
    ]);
    expect(verdicts).toEqual([null, null, null, 'stalled']);
  });

  it('given a slow but steady reader whose buffer stays the same size while new messages keep coming, then it is never closed', () => {
    // Every second 10 kB more is written and 10 kB is read: the buffer never shrinks, the client reads.
    const steps = Array.from({ length: 120 }, (_, i) => ({ at: (i + 1) * 1000, write: 10_000, buffered: 50_000 }));
    expect(looks([{ at: 0, write: 50_000, buffered: 50_000 }, ...steps]).filter((v) => v !== null)).toEqual([]);
  });

  it('given a reader that drains a large buffer slowly (1 kB a second), then it survives well past the stall time', () => {
    const steps = Array.from({ length: 90 }, (_, i) => ({ at: (i + 1) * 1000, buffered: 90_000 - (i + 1) * 1000 }));
    expect(looks([{ at: 0, write: 90_000, buffered: 90_000 }, ...steps]).filter((v) => v !== null)).toEqual([]);
  });

  it('given an empty buffer (the kernel took everything) and a ping unanswered for the stall time, then stalled; a pong in time keeps it', () => {
    const silent = newWatch(0);
    expect(looks([{ at: 1000, buffered: 0 }], silent)).toEqual([null]);
    expect(pingDue(silent, 0, 1000, limits)).toBe(true);
    silent.pingAt = 1000;
    expect(looks([{ at: 2000, buffered: 0 }, { at: 30_999, buffered: 0 }, { at: 31_000, buffered: 0 }], silent)).toEqual([null, null, 'stalled']);

    const answering = newWatch(0);
    answering.pingAt = 1000;
    pong(answering, 1005);
    expect(looks([{ at: 31_000, buffered: 0 }, { at: 60_000, buffered: 0 }], answering)).toEqual([null, null]);
    expect(pingDue(answering, 0, 1005 + 9_999, limits)).toBe(false); // pinged again only after pingEveryMs (10 s)
    expect(pingDue(answering, 0, 1005 + 10_000, limits)).toBe(true);
    expect(pingDue(answering, 1, 1005 + 10_000, limits)).toBe(false); // with bytes unsent, the buffer tells
  });

  it('given the config, then the snapshot limit never exceeds the buffer limit (a snapshot alone must not make its client too slow)', () => {
    expect(feedLimits(loadConfig({}))).toEqual({ maxBufferedBytes: 4 * 1024 * 1024, maxSnapshotBytes: 1024 * 1024, stallMs: 30_000, maxClients: 500 });
    expect(feedLimits(loadConfig({ FEED_MAX_BUFFERED_BYTES: '2048', FEED_MAX_SNAPSHOT_BYTES: '8192' })).maxSnapshotBytes).toBe(2048);
    expect(() => loadConfig({ FEED_STALL_SECONDS: '0' })).toThrow(/FEED_STALL_SECONDS/);
    expect(() => loadConfig({ FEED_MAX_CLIENTS: '0' })).toThrow(/FEED_MAX_CLIENTS/);
    expect(() => loadConfig({ HTTP_REQUEST_TIMEOUT_MS: 'soon' })).toThrow(/HTTP_REQUEST_TIMEOUT_MS/);
  });
});

const snap = (cases: Case[], seq = 7): FeedSnapshot => ({ seq, cases, epoch: 'epoch-1' });
const message = (batch: SnapshotBatch, reset = false) => Buffer.concat(batch.fragments('2026-11-21T10:00:00.123Z', reset));

describe('feed snapshot (SnapshotBatch): bounded in bytes, most urgent first', () => {
  const cases = Array.from({ length: 40 }, (_, i) => makeCase({ data: { deployed: ['driver_front'], note: `${i}`.padEnd(400, 'x') } }));

  it('given open cases that do not fit, then the head of the queue that fits, truncated: true and totalCases, within the limit', () => {
    for (const reset of [false, true]) {
      const bytes = message(new SnapshotBatch(snap(cases), 8192), reset);
      expect(bytes.length).toBeLessThanOrEqual(8192);
      const msg = JSON.parse(bytes.toString()) as SnapshotMessage;
      expect(Value.Check(SnapshotMessage, msg)).toBe(true);
      expect(msg).toMatchObject({ type: 'snapshot', seq: 7, epoch: 'epoch-1', truncated: true, totalCases: 40, ...(reset ? { reset: true } : {}) });
      expect(msg.cases.length).toBeGreaterThan(5);
      expect(msg.cases).toEqual(cases.slice(0, msg.cases.length)); // queue order kept, nothing skipped
      // One more case would not have fitted.
      const withOneMore = JSON.stringify({ ...msg, cases: cases.slice(0, msg.cases.length + 1) });
      expect(Buffer.byteLength(withOneMore)).toBeGreaterThan(8192 - 40);
    }
  });

  it('given open cases that fit, then every case and no truncation fields', () => {
    const msg = JSON.parse(message(new SnapshotBatch(snap(cases.slice(0, 3)), 1 << 20)).toString()) as SnapshotMessage;
    expect(msg.cases).toEqual(cases.slice(0, 3));
    expect(msg).not.toHaveProperty('truncated');
    expect(msg).not.toHaveProperty('totalCases');
  });

  it('given a first case larger than the limit, then no case rather than a later one in its place, and still valid JSON', () => {
    const huge = makeCase({ data: { note: 'x'.repeat(10_000) } });
    const msg = JSON.parse(message(new SnapshotBatch(snap([huge, ...cases.slice(0, 2)]), 4096)).toString()) as SnapshotMessage;
    expect(msg).toMatchObject({ cases: [], truncated: true, totalCases: 3 });
  });

  it('given multi-byte text (Japanese names), then the limit counts bytes, not characters', () => {
    const jp = Array.from({ length: 30 }, () => makeCase({ data: { note: '東京都千代田区丸の内一丁目'.repeat(20) } }));
    const bytes = message(new SnapshotBatch(snap(jp), 8192));
    expect(bytes.length).toBeLessThanOrEqual(8192);
    expect((JSON.parse(bytes.toString()) as SnapshotMessage).truncated).toBe(true);
  });
});

describe('feed snapshot reads (SnapshotSource): shared only when no live message can have slipped between', () => {
  function source() {
    let reads = 0;
    let release: () => void = () => {};
    const src = new SnapshotSource(async () => {
      reads++;
      await new Promise<void>((resolve) => (release = resolve));
      return new SnapshotBatch(snap([], reads), 4096);
    });
    return { src, reads: () => reads, release: () => release() };
  }

  it('given a batch read and no live message since, then the next client gets the same batch without a read', async () => {
    const s = source();
    const first = s.src.next('epoch-1');
    await new Promise((r) => setImmediate(r));
    s.release();
    const a = await first;
    expect(await s.src.next('epoch-1')).toBe(a);
    expect(s.reads()).toBe(1);
  });

  it('given the store started a new history (an emptied Redis), then the batch of the old one is not reused', async () => {
    const s = source();
    const first = s.src.next('epoch-1');
    await new Promise((r) => setImmediate(r));
    s.release();
    await first;
    const second = s.src.next('epoch-2');
    await new Promise((r) => setImmediate(r));
    s.release();
    await second;
    expect(s.reads()).toBe(2);
  });

  it('given a live message after the read began, then the next client gets a fresh read', async () => {
    const s = source();
    const first = s.src.next('epoch-1');
    await new Promise((r) => setImmediate(r));
    s.src.invalidate(); // a message broadcast while the read ran: the batch may lack it
    s.release();
    const a = await first;
    const second = s.src.next('epoch-1');
    await new Promise((r) => setImmediate(r));
    s.release();
    expect(await second).not.toBe(a);
    expect(s.reads()).toBe(2);
  });

  it('given a read under way, then clients arriving meanwhile share the next read, not that one', async () => {
    const s = source();
    const first = s.src.next('epoch-1');
    await new Promise((r) => setImmediate(r));
    const [b, c] = [s.src.next('epoch-1'), s.src.next('epoch-1')];
    expect(s.reads()).toBe(1); // b and c wait: the running read may predate their subscription
    s.release();
    const a = await first;
    await new Promise((r) => setImmediate(r));
    expect(s.reads()).toBe(2);
    s.release();
    const [bb, cc] = await Promise.all([b, c]);
    expect(bb).toBe(cc);
    expect(bb).not.toBe(a);
  });
});

/** A socket whose peer reads nothing: what it is sent stays in `bufferedAmount`, pings go unanswered. */
class DeafSocket extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  bufferedAmount = 0;
  closedWith: number | null = null;
  send(data: Buffer): void {
    this.bufferedAmount += data.length + 2;
  }
  ping(): void {}
  close(code: number): void {
    this.closedWith = code;
    this.readyState = 2;
  }
}

describe('feed hub sweep on the injected clock', () => {
  it('given a client that reads nothing and no new message, then 1013 after FEED_STALL_SECONDS; the sweep stops with the last client and on close()', async () => {
    const clock = new VirtualClock();
    const hub = new FeedHub(new MemoryStore(), clock, new Metrics(), { ...limits, stallMs: 5000 });
    const deaf = new DeafSocket();
    await hub.attach(deaf as unknown as WebSocket, undefined);
    expect(deaf.bufferedAmount).toBeGreaterThan(0); // its snapshot, unread
    await clock.advance(4000);
    expect(deaf.closedWith).toBeNull();
    await clock.advance(1000);
    expect(deaf.closedWith).toBe(1013);
    expect(hub.size).toBe(0);
    await clock.advance(1000);
    expect(clock.pending()).toBe(0); // no clients, no sweep

    const other = new DeafSocket();
    await hub.attach(other as unknown as WebSocket, undefined);
    expect(clock.pending()).toBe(1);
    hub.close();
    expect(clock.pending()).toBe(0); // nothing keeps a stopped process alive
  });
});
