import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../../lib/clock/index.js';
import type { Store } from './store/port.js';

/** How long one instance holds the claim on an expiry; others look again after it, in case it died. */
export const EXPIRY_CLAIM_MS = 30_000;

/**
 * Arms one timer per car at its lockout end (D3.5) on the injected clock. Timers are re-armed from the
 * store at start-up, so an expiry that fell due while the service was down fires right away. Every
 * instance sharing the store arms the timer; the one that claims the expiry (a lease in the store)
 * fires it, the others look again once the claim has run out. Even a second firing would be harmless:
 * expiry is decided on the stored state and is a no-op once done.
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
      this.fire(vin, until).catch((err) => {
        // The store is unreachable: try again shortly rather than leave the car locked out.
        this.logger.error({ err, vin }, 'lockout expiry failed; retrying in 5 s');
        this.arm(vin, this.clock.now() + 5_000);
      });
    });
    this.timers.set(vin, handle);
  }

  private async fire(vin: string, until: number): Promise<void> {
    if (await this.store.claim(`lockout-expiry:${vin}:${until}`, EXPIRY_CLAIM_MS)) return this.expire(vin);
    this.arm(vin, this.clock.now() + EXPIRY_CLAIM_MS); // another instance has it; look again if it died
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
