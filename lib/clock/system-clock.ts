import type { Clock, TimerHandle } from './clock.js';

interface SystemTimer extends TimerHandle {
  t: NodeJS.Timeout;
}

/** Node's longest setTimeout delay; longer waits are chained so that far-off lockouts still fire. */
const MAX_DELAY = 2 ** 31 - 1;

/**
 * The wall clock, for production. The only place outside tests that calls Date.now and setTimeout.
 * Timers are not `unref`ed: a pending timer keeps the process alive, as the Clock contract says.
 */
export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }

  setTimer(delayMs: number, fn: () => void): TimerHandle {
    const due = Date.now() + Math.max(0, delayMs);
    const handle = { due } as SystemTimer;
    const arm = () => {
      const left = due - Date.now();
      handle.t = setTimeout(left > MAX_DELAY ? arm : fn, Math.min(Math.max(0, left), MAX_DELAY));
    };
    arm();
    return handle;
  }

  clearTimer(handle: TimerHandle): void {
    clearTimeout((handle as SystemTimer).t);
  }
}
