import { monotonicFactory } from 'ulid';
import type { Rng } from './prng.js';

/**
 * Event ids: ULIDs made from the injected clock's time and the car's seeded randomness, so a run with
 * the same seed and a VirtualClock mints the same ids. Monotonic within one car (same ms -> increment).
 */
export function eventIdFactory(rng: Rng, now: () => number): () => string {
  const make = monotonicFactory(() => rng.next());
  return () => make(now());
}
