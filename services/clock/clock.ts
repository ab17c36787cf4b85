/**
 * Injected time (STYLE 6, after MQTT.js `Timer {set, clear}`). Domain code, lockout timers, simulator
 * ticks and replay read time and schedule work only through a Clock, so tests and replays drive it.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  setTimer(delayMs: number, fn: () => void): TimerHandle;
  clearTimer(handle: TimerHandle): void;
}

export interface TimerHandle {
  readonly due: number;
}
