import { runServer } from './server.js';

/**
 * The server entry: `npm start` runs it compiled (`node dist/cli/start.js`), `npm run demo` with
 * `--demo`, `npm run dev` from source through tsx; `anshin start` / `anshin demo` do the same.
 */
void runServer({ demo: process.argv.includes('--demo') });
