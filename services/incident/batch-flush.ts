import type { Clock, TimerHandle } from '../../lib/clock/index.js';

/**
 * When what piles up in memory (cars' positions, service cars' fixes) is written to the store: one
 * batch at most `everyMs` after the first change (`due`), one save at a time and in order (`flush`),
 * and a last one at `stop`. The save itself decides what a failure keeps for the next batch; a failed
 * save never rejects `flush`. On the injected clock, so tests and replays drive it.
 */
export class BatchFlush {
  private timer: TimerHandle | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly everyMs: number,
    private readonly save: () => Promise<void>,
  ) {}

  /** Something changed: a save runs within `everyMs` (nothing after `stop`). */
  due(): void {
    if (this.timer !== null || this.stopped) return;
    this.timer = this.clock.setTimer(this.everyMs, () => {
      this.timer = null;
      void this.flush();
    });
  }

  /** Saves now, after any save already running. */
  flush(): Promise<void> {
    const run = this.flushing.then(() => this.save());
    this.flushing = run.catch(() => {});
    return this.flushing;
  }

  /** No timer from here on (it would keep a stopped process alive); saves what is pending. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) this.clock.clearTimer(this.timer);
    this.timer = null;
    await this.flush();
  }
}
