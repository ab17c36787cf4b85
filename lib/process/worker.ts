import { Worker } from 'node:worker_threads';
import { COMPILED } from '../paths.js';

/**
 * Starts a worker thread on `entry`, a module named without its extension next to the caller
 * (`new URL('./broker-thread', import.meta.url)`): the compiled `.js` in dist/, or from the sources the
 * `.ts` through tsx (`ts-worker.mjs`), so a thread never runs stale JS either.
 */
export function startWorker(entry: URL, workerData: object): Worker {
  if (COMPILED) return new Worker(new URL(`${entry.href}.js`), { workerData });
  return new Worker(new URL('./ts-worker.mjs', import.meta.url), { workerData: { ...workerData, __entry: `${entry.href}.ts` } });
}
