/**
 * Injected time (STYLE 6, after MQTT.js `Timer {set, clear}`). Domain code, lockout timers, simulator
 * ticks and replay read time and schedule work only through a Clock, so tests and replays drive it.
 *
 * Keeping a process alive: a timer on a real clock keeps the process running until it fires or is
 * cleared, as `setTimeout` does. Someone who awaits a timer (a paced replay, a scenario step, a retry
 * backoff) needs exactly that: were the timer detached, a process with nothing else to do would end in
 * the middle of the wait (a top-level await left unsettled, exit code 13). The price: whoever arms a
 * timer that is not awaited (lockout expiries, telemetry ticks, connect ramps) owns it and clears it in
 * its `stop()` / `close()` / `end()`, or a finished process lingers until that timer is due.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `fn` once, `delayMs` from now (0 if negative). Keeps a real process alive until then (see above). */
  setTimer(delayMs: number, fn: () => void): TimerHandle;
  /** Cancels a timer that has not fired; a no-op on one that has. */
  clearTimer(handle: TimerHandle): void;
}

export interface TimerHandle {
  /** When it falls due, in the clock's milliseconds. */
  readonly due: number;
}
