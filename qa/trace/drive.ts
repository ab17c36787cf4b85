import { SystemClock } from '../../lib/clock/index.js';
import type { InboundGate } from './inbound-gate.js';
import type { LoopbackWatch } from './loopback.js';
import type { StepClock } from './step-clock.js';

export interface DriveOptions {
  clock: StepClock;
  gate: InboundGate;
  sockets: LoopbackWatch;
  /** Work of the driven code that the sockets do not show yet (an HTTP call being set up). */
  busy?: () => boolean;
  /** Progress of that work, for the quiet check. */
  progress?: () => string;
  /** Wall time without any progress after which the run is declared stuck. */
  stallMs?: number;
}

/** Event-loop turns with no change at all that count as quiet. */
const QUIET_TURNS = 8;
const wall = new SystemClock();
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
const pause = (ms: number) => new Promise<void>((resolve) => wall.setTimer(ms, resolve));

/**
 * Runs `work` (a scenario run against an embedded stack, every part of it on `clock`) as a discrete-event
 * simulation: whenever nothing is on its way (no bytes between the sockets' two ends, no car message
 * being committed, no service publish unfinished, no HTTP call open, and nothing changed for a few
 * event-loop turns), it lets in the next car message the gate holds, or else fires the next timer. So
 * every effect of one action lands before the next action starts, at one virtual instant, and the same
 * scenario gives the same trace byte for byte, however loaded the machine is. After `work` ends, the
 * messages still held are let in (a car's last status), and the result is returned.
 */
export async function drive<T>(work: Promise<T>, o: DriveOptions): Promise<T> {
  const stallMs = o.stallMs ?? 60_000;
  let finished = false;
  work.then(
    () => (finished = true),
    () => (finished = true),
  );
  const busy = () => o.sockets.inFlight() > 0 || o.sockets.opening() > 0 || o.gate.active > 0 || o.gate.publishing > 0 || (o.busy?.() ?? false);
  const signature = () =>
    `${o.sockets.signature()}|${o.gate.arrived}/${o.gate.released}/${o.gate.active}/${o.gate.published}/${o.gate.publishing}|${o.clock.fired}/${o.clock.pending}|${o.progress?.() ?? ''}`;

  /** Resolves once all is quiet; throws when nothing moves for `stallMs` while something is on its way. */
  const quiet = async () => {
    let last = signature();
    let still = 0;
    let since = wall.now();
    let waited = 0;
    while (still < QUIET_TURNS) {
      if (busy()) {
        // Loopback I/O mostly lands within a few turns; past that, wait without spinning the CPU.
        await (++waited < 20 ? turn() : pause(1));
        still = 0;
      } else {
        await turn();
        still++;
      }
      const now = signature();
      if (now !== last) {
        last = now;
        still = 0;
        since = wall.now();
      } else if (wall.now() - since > stallMs) {
        throw new Error(`recording stuck: nothing moved for ${stallMs} ms (${busy() ? 'something is still on its way' : 'quiet'}; ${now})`);
      }
    }
  };

  let idleSince = wall.now();
  for (;;) {
    await quiet();
    if (o.gate.releaseNext()) {
      idleSince = wall.now();
      continue;
    }
    if (finished) break;
    if (o.clock.fireNext()) {
      idleSince = wall.now();
      continue;
    }
    // Nothing held, no timer set, and the work is not done: it waits for something outside the
    // virtual clock (a reconnect on wall time). Give it a moment; a run that never ends is a bug.
    if (wall.now() - idleSince > stallMs) throw new Error(`recording stuck: no timer set and nothing on its way for ${stallMs} ms, but the scenario has not ended`);
    await pause(5);
  }
  return work;
}
