import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where the project's files are, the same from the TypeScript sources (tsx, vitest) and from the
 * compiled tree in dist/ (`npm run build`), which sits one folder deeper: code that reads a data file
 * next to the sources (`infra/mosquitto.conf`, `simulator/scenarios/`, `package.json`, the built
 * console) names it from the root here instead of `new URL('../../x', import.meta.url)`.
 */
function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string };
      // A linked package.json (dist/package.json -> ../package.json) names the folder it really is in.
      if (pkg.name === 'anshin') return dirname(realpathSync(file));
    }
    if (dirname(dir) === dir) throw new Error(`no package.json named anshin above ${from}`);
  }
}

const HERE = fileURLToPath(import.meta.url);

/** The project root: the nearest folder upward from this module whose package.json is named `anshin`. */
export const PROJECT_ROOT = findRoot(dirname(HERE));

/** A path from the project root: `projectPath('infra', 'mosquitto.conf')`. */
export function projectPath(...segments: string[]): string {
  return join(PROJECT_ROOT, ...segments);
}

/** True when this process runs the compiled JavaScript in dist/, false from the TypeScript sources. */
export const COMPILED = HERE.endsWith('.js');

/**
 * Node arguments that start the server entry (`cli/start.ts`) the way this process runs: the compiled
 * `dist/cli/start.js`, or the source through tsx (tests, `npm run dev`), so a child never runs stale JS.
 */
export function serverEntryArgs(): string[] {
  return COMPILED ? [projectPath('dist', 'cli', 'start.js')] : ['--import', 'tsx', projectPath('cli', 'start.ts')];
}
