#!/usr/bin/env node
// The `anshin` CLI: the compiled entry point in dist/ (`npm run build`, which `npm ci` runs), so a
// command starts without compiling TypeScript. From the sources without a build: `npx tsx cli/main.ts`.
import { URL } from 'node:url';

const entry = new URL('../dist/cli/main.js', import.meta.url);
try {
  await import(entry.href);
} catch (err) {
  if (err?.code === 'ERR_MODULE_NOT_FOUND' && err.url === entry.href) {
    process.stderr.write('anshin: not built yet (no dist/cli/main.js): run `npm run build` (npm ci runs it too)\n');
    process.exit(2);
  }
  throw err;
}
