import type { Clock, TimerHandle } from '../../lib/clock/index.js';

interface StepTimer extends TimerHandle {
  seq: number;
  fn: () => void;
}

/**
 * A virtual clock that moves one timer at a time, and only when told to (the fixture recorder's
 * `driveScenario`). Timers fire in due order, ties in the order they were set, as on `VirtualClock`.
 *
 * Why not `VirtualClock`: its `advanceTo` fires every timer due on the way with only a `setImmediate`
 * between two of them, which is right for an in-process replay but not for a recording over real
 * sockets, where what one timer sets off (a car's publish, an HTTP call) takes several event-loop turns
 * to land. The recorder fires one timer, waits until every socket is quiet, then fires the next.
 */
export class StepClock implements Clock {
  private current: number;
  private timers: StepTimer[] = [];
  private nextSeq = 0;
  /** Timers fired so far (the recorder's progress signature). */
  fired = 0;

  constructor(startMs: number) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  setTimer(delayMs: number, fn: () => void): TimerHandle {
    const timer: StepTimer = { due: this.current + Math.max(0, delayMs), seq: this.nextSeq++, fn };
    this.timers.push(timer);
    return timer;
  }

  clearTimer(handle: TimerHandle): void {
    this.timers = this.timers.filter((t) => t !== handle);
  }

  /** Timers not yet fired. */
  get pending(): number {
    return this.timers.length;
  }

  /** Moves time to the earliest timer (never backwards) and fires that one alone; false when none is set. */
  fireNext(): boolean {
    let next: StepTimer | undefined;
    for (const t of this.timers) if (!next || t.due < next.due || (t.due === next.due && t.seq < next.seq)) next = t;
    if (!next) return false;
    this.timers = this.timers.filter((t) => t !== next);
    this.current = Math.max(this.current, next.due);
    this.fired++;
    next.fn();
    return true;
  }
}
