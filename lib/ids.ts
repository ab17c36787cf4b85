import { getRandomValues } from 'node:crypto';
import { monotonicFactory } from 'ulid';
import type { Clock } from './clock/index.js';

/** ULIDs stamped with the injected clock's time, so ids sort in virtual time as in real time. */
export function ulidFactory(clock: Clock, prng: () => number = pooledRandom()): () => string {
  const next = monotonicFactory(prng);
  return () => next(clock.now());
}

/**
 * Cryptographic randomness as numbers in [0, 1), drawn 1,024 at a time. ulid's own source asks the
 * operating system once per character (16 per id in a new millisecond): 4.5% of the embedded
 * default's CPU in a burst of 10,000 crashes (bench/README.md, the fifth session).
 */
export function pooledRandom(size = 1024): () => number {
  const pool = new Uint32Array(size);
  let next = size;
  return () => {
    if (next === size) {
      getRandomValues(pool);
      next = 0;
    }
    return pool[next++]! / 0x1_0000_0000;
  };
}
