import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../clock/index.js';
import type { Store } from './store/port.js';

/**
 * Arms one timer per car at its lockout end (D3.5) on the injected clock. Timers are re-armed from the
 * store at start-up, so an expiry that fell due while the service was down fires right away. Firing
 * twice is harmless: expiry is decided on the stored state and is a no-op once done (another instance
 * sharing the store may get there first).
 */
export class LockoutScheduler {
  private timers = new Map<string, TimerHandle>();
  private stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly store: Store,
    private readonly expire: (vin: string) => Promise<void>,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<number> {
    const scheduled = await this.store.scheduledLockouts();
    for (const { vin, until } of scheduled) this.arm(vin, until);
    return scheduled.length;
  }

  arm(vin: string, until: number): void {
    if (this.stopped) return;
    const existing = this.timers.get(vin);
    if (existing && existing.due === until) return;
    if (existing) this.clock.clearTimer(existing);
    const handle = this.clock.setTimer(until - this.clock.now(), () => {
      if (this.timers.get(vin) === handle) this.timers.delete(vin);
      this.expire(vin).catch((err) => {
        // The store is unreachable: try again shortly rather than leave the car locked out.
        this.logger.error({ err, vin }, 'lockout expiry failed; retrying in 5 s');
        this.arm(vin, this.clock.now() + 5_000);
      });
    });
    this.timers.set(vin, handle);
  }

  armed(): number {
    return this.timers.size;
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) this.clock.clearTimer(t);
    this.timers.clear();
  }
}
