import { EventEmitter } from 'node:events';
import type { Clock } from '../../lib/clock/index.js';
import type { AppMessage, Command, LockoutMessage } from '../../protocol/index.js';

/** Everything a car notices, in one stream that tests and the CLI can await or print. */
export type CarSignal =
  | { kind: 'connected'; at: number; sessionPresent: boolean }
  | { kind: 'disconnected'; at: number }
  | { kind: 'command'; at: number; command: Command }
  | { kind: 'lockout'; at: number; lockout: LockoutMessage }
  | { kind: 'acked'; at: number; eventId: string }
  | { kind: 'rejected'; at: number; topic: string; reason: string }
  /** D4.6: a message to the owner's app. */
  | { kind: 'app'; at: number; message: AppMessage };

/** A bounded log of signals with `waitFor`, shared by the car and anything that watches it. */
export class SignalLog extends EventEmitter {
  private readonly recent: CarSignal[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly capacity: number,
  ) {
    super();
  }

  push(signal: CarSignal): void {
    if (this.capacity > 0) {
      this.recent.push(signal);
      if (this.recent.length > this.capacity) this.recent.shift();
    }
    this.emit('signal', signal);
  }

  /** Signals still in the log, oldest first. */
  history(): readonly CarSignal[] {
    return this.recent;
  }

  /**
   * Resolves with the first signal matching `predicate`; by default one already in the log counts too
   * (so a test may start waiting after the command arrived). The timeout runs on the injected clock.
   */
  waitFor<S extends CarSignal>(
    predicate: ((s: CarSignal) => s is S) | ((s: CarSignal) => boolean),
    timeoutMs = 5000,
    opts: { includePast?: boolean } = {},
  ): Promise<S> {
    if (opts.includePast !== false) {
      const hit = this.recent.find((s) => predicate(s));
      if (hit) return Promise.resolve(hit as S);
    }
    return new Promise<S>((resolve, reject) => {
      const onSignal = (s: CarSignal) => {
        if (!predicate(s)) return;
        this.off('signal', onSignal);
        this.clock.clearTimer(timer);
        resolve(s as S);
      };
      const timer = this.clock.setTimer(timeoutMs, () => {
        this.off('signal', onSignal);
        reject(new Error(`waitFor: no matching signal within ${timeoutMs} ms`));
      });
      this.on('signal', onSignal);
    });
  }
}

/** Predicate helper: a command of kind `cmd` that also satisfies `extra`. */
export function isCommand<C extends Command['cmd']>(
  cmd: C,
  extra: (c: Extract<Command, { cmd: C }>) => boolean = () => true,
): (s: CarSignal) => s is { kind: 'command'; at: number; command: Extract<Command, { cmd: C }> } {
  return (s): s is { kind: 'command'; at: number; command: Extract<Command, { cmd: C }> } =>
    s.kind === 'command' && s.command.cmd === cmd && extra(s.command as Extract<Command, { cmd: C }>);
}
