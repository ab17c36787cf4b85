import type { FeedSnapshot } from '../store/port.js';

/** The longest `at` (isoTime: `2026-11-21T10:15:30.123Z`), for the size budget. */
const AT_WIDTH = '0000-00-00T00:00:00.000Z';

/**
 * One snapshot read, serialised once for every client that gets it. A snapshot is a single WebSocket
 * message, and a console attaching while thousands of cases were open used to get all of them: 5.4 MB
 * per client, as a new string and a new Buffer for each (100 consoles: +1.1 GB RSS). Here the open
 * cases are cut to `maxBytes` (FEED_MAX_SNAPSHOT_BYTES) and serialised once; each client's message is
 * its own small head (its `at`, its `reset`), the shared case list, and `]}`, sent as three fragments
 * of one message (RFC 6455 5.4), so the case bytes are held once however many clients wait for them.
 */
export class SnapshotBatch {
  readonly seq: number;
  readonly epoch: string;
  readonly totalCases: number;
  /** How many cases, from the head of the queue, the message holds. */
  readonly shown: number;
  /** The first `shown` cases, comma-separated. */
  private readonly body: Buffer;
  private static readonly tail = Buffer.from(']}');

  constructor(snap: FeedSnapshot, maxBytes: number) {
    this.seq = snap.seq;
    this.epoch = snap.epoch;
    this.totalCases = snap.cases.length;
    let budget = maxBytes - Buffer.byteLength(this.head(AT_WIDTH, true, true)) - SnapshotBatch.tail.length;
    const parts: string[] = [];
    // The most urgent cases first (the store lists them in queue order); stop at the first that does
    // not fit, so what is shown is always the head of the queue, never a later case in place of an earlier.
    for (const c of snap.cases) {
      const part = JSON.stringify(c);
      const cost = Buffer.byteLength(part) + (parts.length > 0 ? 1 : 0);
      if (cost > budget) break;
      budget -= cost;
      parts.push(part);
    }
    this.shown = parts.length;
    this.body = Buffer.from(parts.join(','));
  }

  /** One client's message (`reset: true` after a `since` that cannot be replayed), as the fragments to send. */
  fragments(at: string, reset: boolean): Buffer[] {
    return [Buffer.from(this.head(at, reset, this.shown < this.totalCases)), this.body, SnapshotBatch.tail];
  }

  /** `{"type":"snapshot",...,"cases":[` : the envelope with `cases` last and its list left open. */
  private head(at: string, reset: boolean, truncated: boolean): string {
    const envelope = JSON.stringify({
      type: 'snapshot',
      seq: this.seq,
      at,
      epoch: this.epoch,
      ...(reset ? { reset: true } : {}),
      ...(truncated ? { truncated: true, totalCases: this.totalCases } : {}),
      cases: [],
    });
    return envelope.slice(0, -2);
  }
}

/**
 * Snapshots for attaching clients: one read, and one serialisation, for all who can share it.
 *
 * A client may only get a snapshot that no live message has overtaken before it subscribed (FeedHub
 * subscribes first, then asks): a message committed after the read but broadcast before the client's
 * subscription would be in neither, a gap. So the last batch is reused only while no live message has
 * come since its read began (`invalidate`), and a client that arrives while a read is under way joins
 * the next read, not that one. At most one read runs and one waits.
 *
 * Measured (memory store, 540 open cases of 10 kB, 100 raw clients connecting at once from another
 * process, each reading its first 500 kB): before, a whole 5.4 MB snapshot read and serialised per
 * client, 100 reads and 9.3 s until all had them; now 1 MiB snapshots, 1 read, 2.7 s.
 */
export class SnapshotSource {
  private running: Promise<SnapshotBatch> | null = null;
  private queued: Promise<SnapshotBatch> | null = null;
  private cached: { batch: SnapshotBatch; stamp: number } | null = null;
  /** Bumped by every live message. */
  private stamp = 0;

  constructor(private readonly read: () => Promise<SnapshotBatch>) {}

  /** A live message came: batches read before it may lack it. */
  invalidate(): void {
    this.stamp++;
    this.cached = null;
  }

  /** `epoch`: the store's current history; a batch of another (an emptied Redis) is not reused. */
  next(epoch: string): Promise<SnapshotBatch> {
    if (this.cached?.stamp === this.stamp && this.cached.batch.epoch === epoch) return Promise.resolve(this.cached.batch);
    if (this.queued) return this.queued;
    const queued: Promise<SnapshotBatch> = (this.running ?? Promise.resolve())
      .catch(() => undefined)
      .then(() => {
        this.queued = null;
        const stamp = this.stamp;
        const running: Promise<SnapshotBatch> = this.read()
          .then((batch) => {
            if (stamp === this.stamp) this.cached = { batch, stamp };
            return batch;
          })
          .finally(() => {
            if (this.running === running) this.running = null;
          });
        this.running = running;
        return running;
      });
    this.queued = queued;
    return queued;
  }
}
