import type { Config } from '../../config.js';

/** The operator feed's resource bounds (FEED_* in services/config.ts). */
export interface FeedLimits {
  /** A client with more unsent bytes than this is closed with 1013 (contract "WebSocket"). */
  maxBufferedBytes: number;
  /** A snapshot larger than this carries only the most urgent cases; never above maxBufferedBytes. */
  maxSnapshotBytes: number;
  /** A client whose unsent bytes have not shrunk for this long, while there are some, is closed with 1013. */
  stallMs: number;
  /** Connections past this many are refused. */
  maxClients: number;
}

type FeedConfig = Pick<Config, 'FEED_MAX_BUFFERED_BYTES' | 'FEED_MAX_SNAPSHOT_BYTES' | 'FEED_STALL_SECONDS' | 'FEED_MAX_CLIENTS'>;

export function feedLimits(config: FeedConfig): FeedLimits {
  return {
    maxBufferedBytes: config.FEED_MAX_BUFFERED_BYTES,
    // A snapshot alone must never make its client "too slow" before it had a chance to read it.
    maxSnapshotBytes: Math.min(config.FEED_MAX_SNAPSHOT_BYTES, config.FEED_MAX_BUFFERED_BYTES),
    stallMs: config.FEED_STALL_SECONDS * 1000,
    maxClients: config.FEED_MAX_CLIENTS,
  };
}

/** How often the hub looks at every client's write buffer: about every second, more often for short stall times. */
export function sweepEveryMs(limits: FeedLimits): number {
  return Math.min(1000, Math.max(50, Math.floor(limits.stallMs / 4)));
}

/** How often an idle client (nothing unsent) is pinged: a few times per stall time, at most every 10 s. */
export function pingEveryMs(limits: FeedLimits): number {
  return Math.max(sweepEveryMs(limits), Math.min(10_000, Math.floor(limits.stallMs / 3)));
}

/** What the hub knows of one client's write buffer, to tell a slow but steady reader from one that stopped. */
export interface BufferWatch {
  /** Payload bytes handed to the socket so far. */
  written: number;
  /** `bufferedAmount` and `written` at the last look. */
  seenBuffered: number;
  seenWritten: number;
  /** When the client was last seen reading (clock ms): its buffer draining, or a pong. */
  progressAt: number;
  /** When the unanswered ping went out, or null. */
  pingAt: number | null;
  /** When the last pong came (-Infinity: none yet, so the first idle look pings at once). */
  pongAt: number;
}

export type SlowReason = 'buffer_full' | 'stalled';

export function newWatch(now: number): BufferWatch {
  return { written: 0, seenBuffered: 0, seenWritten: 0, progressAt: now, pingAt: null, pongAt: -Infinity };
}

/**
 * One look at a client's unsent bytes (`buffered`, ws `bufferedAmount`): the reason to close it, or null.
 *
 * Progress is bytes that left the buffer since the last look (what was there, plus what was written
 * since, minus what is there now), not a smaller buffer: a client reading steadily while new messages
 * keep coming may hold a buffer of the same size and is still reading. Frame headers count in
 * `buffered` but not in `written`, so a client that reads nothing never seems to progress.
 *
 * An empty buffer does not prove the client reads: the kernel's socket buffers take megabytes (a whole
 * 1 MiB snapshot on loopback), so a client that never reads can sit there with nothing unsent here.
 * Then the ping tells: with a ping unanswered and nothing draining, the client is not reading (or is
 * gone); a pong (`pong`) counts as progress, as the client read everything sent before the ping.
 */
export function judgeBuffer(watch: BufferWatch, buffered: number, now: number, limits: FeedLimits): SlowReason | null {
  if (buffered > limits.maxBufferedBytes) return 'buffer_full';
  const drained = watch.seenBuffered + (watch.written - watch.seenWritten) - buffered;
  watch.seenBuffered = buffered;
  watch.seenWritten = watch.written;
  if (drained > 0 || (buffered === 0 && watch.pingAt === null)) {
    watch.progressAt = now;
    return null;
  }
  return now - watch.progressAt >= limits.stallMs ? 'stalled' : null;
}

/** Whether to ping the client now: nothing unsent, no ping unanswered, none answered lately. */
export function pingDue(watch: BufferWatch, buffered: number, now: number, limits: FeedLimits): boolean {
  return buffered === 0 && watch.pingAt === null && now - watch.pongAt >= pingEveryMs(limits);
}

export function pong(watch: BufferWatch, now: number): void {
  watch.pingAt = null;
  watch.pongAt = now;
  watch.progressAt = now;
}
