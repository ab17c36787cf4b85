import type { Clock } from '../../lib/clock/index.js';

export function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimer(ms, resolve));
}

/** Re-checks `probe` every `everyMs` on the clock until it returns a value or `withinMs` has passed. */
export async function poll<T>(clock: Clock, withinMs: number, probe: () => Promise<T | undefined> | T | undefined, everyMs = 100): Promise<T | undefined> {
  const deadline = clock.now() + withinMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (clock.now() >= deadline) return undefined;
    await sleep(clock, Math.min(everyMs, Math.max(1, deadline - clock.now())));
  }
}

/**
 * Lets what a step set off land before the next step looks (a zero-delay timer on the run's clock). On
 * the system clock that is a turn of the event loop; the trace-fixture recorder's clock fires it only
 * once nothing is on its way any more (qa/trace/drive.ts), which keeps recordings deterministic.
 */
export function settle(clock: Clock): Promise<void> {
  return sleep(clock, 0);
}
