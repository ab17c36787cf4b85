// A worker thread running a TypeScript entry from the sources (tests, `npm run dev`). Node 20 does not
// apply `--import tsx` given in a worker's execArgv, so the worker registers tsx itself, then imports the
// entry named in its workerData (`lib/process/worker.ts`).
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.__entry);
