import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * Vitest global set-up: tests that spawn the CLI (`node bin/anshin.js …`) or `npm run demo` run the
 * compiled dist/, so it is built once per run, `npx vitest run <file>` included (an npm `pretest` would
 * miss that). Under a second; files whose output is unchanged are not rewritten.
 */
export default function buildDist(): void {
  execFileSync(process.execPath, [join(import.meta.dirname, '../../build.js')], { stdio: ['ignore', 'pipe', 'inherit'] });
}
