import { monotonicFactory } from 'ulid';
import type { Clock } from './clock/index.js';

/** ULIDs stamped with the injected clock's time, so ids sort in virtual time as in real time. */
export function ulidFactory(clock: Clock, prng?: () => number): () => string {
  const next = prng ? monotonicFactory(prng) : monotonicFactory();
  return () => next(clock.now());
}
