import type { StageTimer } from '../metrics.js';
import { isPromise, type IngestDeps, type Stage } from './stage.js';

/** A built pipeline: the input through every stage, synchronous while no stage returned a promise. */
export type RunStages<In, Out> = (input: In, deps: IngestDeps) => Out | Promise<Out>;

/** When the running stage of one message started (the previous one's end): one clock read per stage. */
interface Lap {
  at: number;
}

type Wired<In, Out> = (input: In, deps: IngestDeps, lap: Lap) => Out | Promise<Out>;

/**
 * Stages in order, typed end to end: `then` only accepts a stage whose input is the previous stage's
 * output, so no stage needs a `!` or a cast to read what an earlier one established. `names` is the
 * order (the index lists it once); `build` gives each stage the timer of its name once per service,
 * not per message.
 */
export class Pipeline<In, Out> {
  private constructor(
    readonly names: readonly string[],
    private readonly wire: (timerOf: (name: string) => StageTimer) => Wired<In, Out>,
  ) {}

  static start<T>(): Pipeline<T, T> {
    return new Pipeline<T, T>([], () => (input) => input);
  }

  then<Next>(name: string, stage: Stage<Out, Next>): Pipeline<In, Next> {
    return new Pipeline<In, Next>([...this.names, name], (timerOf) => {
      const before = this.wire(timerOf);
      const timer = timerOf(name);
      return (input, deps, lap) => {
        const out = before(input, deps, lap);
        return isPromise(out) ? out.then((ready) => timed(stage, ready, deps, timer, lap)) : timed(stage, out, deps, timer, lap);
      };
    });
  }

  /**
   * The runnable pipeline. Stage times are read with `performance.now()`, not the injected clock:
   * they measure this process's own work, which a virtual clock would show as 0.
   */
  build(timerOf: (name: string) => StageTimer): RunStages<In, Out> {
    const run = this.wire(timerOf);
    return (input, deps) => run(input, deps, { at: performance.now() });
  }
}

/** Runs one stage and records how long it took, dead letters and failures included. */
function timed<In, Out>(stage: Stage<In, Out>, input: In, deps: IngestDeps, timer: StageTimer, lap: Lap): Out | Promise<Out> {
  let out: Out | Promise<Out>;
  try {
    out = stage(input, deps);
  } catch (err) {
    lapse(timer, lap);
    throw err;
  }
  if (!isPromise(out)) {
    lapse(timer, lap);
    return out;
  }
  return out.finally(() => lapse(timer, lap));
}

function lapse(timer: StageTimer, lap: Lap): void {
  const now = performance.now();
  timer.observe((now - lap.at) / 1000);
  lap.at = now;
}
