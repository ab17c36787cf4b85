// `npm run build` (run by `npm ci` through `prepare`, and before the tests): the TypeScript sources to
// JavaScript in dist/, one file per file, the tree mirrored (cli/main.ts -> dist/cli/main.js), so that
// `anshin` and `npm start` start without compiling anything. esbuild transpiles each file on its own:
// no bundling, no type checking (that is `npm run typecheck`). Measured on the 2-core VM: 0.4-0.9 s for
// the whole tree (2-3 s while other work loads it), where `tsc` takes about 16 s.
//
// Safe while other processes run from dist/ (the tests spawn the CLI, other builds may run at once):
// each file is replaced by a rename (never seen half written), files whose text is unchanged are not
// touched, and only then are files of deleted sources removed.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, readlink, rename, symlink, unlink, writeFile } from 'node:fs/promises';
import { Buffer } from 'node:buffer';
import { dirname, join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { build } from 'esbuild';

const ROOT = import.meta.dirname;
const OUT = join(ROOT, 'dist');
/** The folders that ship code (../shared/LAYOUT.md); tests/ does not. */
const FOLDERS = ['protocol', 'lib', 'services', 'simulator', 'qa', 'bench', 'cli'];
/** Not for Node (the console's browser code and its Vite config: `npm run build:console`), or not code. */
const SKIP = new Set(['services/console/web', 'services/console/dist', 'services/console/vite.config.ts', 'bench/results', 'qa/chaos/results']);

/**
 * Code that still finds its files as `new URL('../../x', import.meta.url)` reaches them from dist/ (one
 * folder deeper) through these links to the real ones. Each goes once the file named uses lib/paths.ts.
 */
const LINKS = [
  ['package.json', 'qa/trace/lines.ts'], // lib/paths.ts resolves this link: the root stays the project's
  ['simulator/scenarios', 'simulator/scenario/load.ts'],
];

function* sources(dir) {
  for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    if (SKIP.has(path)) continue;
    if (entry.isDirectory()) yield* sources(path);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) yield path;
  }
}

/** Every file under dir (links not followed), as paths relative to dist/. */
function* existing(dir) {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* existing(path);
    else yield relative(OUT, path);
  }
}

async function writeIfChanged(path, contents) {
  try {
    if (Buffer.compare(readFileSync(path), contents) === 0) return false;
  } catch {
    // new file
  }
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, contents);
  await rename(tmp, path);
  return true;
}

async function link(path, target) {
  const at = join(OUT, path);
  const to = relative(dirname(at), join(ROOT, target));
  const now = await readlink(at).catch(() => null);
  if (now === to) return;
  await mkdir(dirname(at), { recursive: true });
  const tmp = `${at}.${process.pid}.tmp`;
  await symlink(to, tmp);
  await rename(tmp, at);
}

const started = performance.now();
const entryPoints = FOLDERS.flatMap((f) => [...sources(f)]);
const { outputFiles } = await build({
  entryPoints,
  outdir: OUT,
  outbase: ROOT,
  absWorkingDir: ROOT,
  bundle: false,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  tsconfig: 'tsconfig.json',
  sourcemap: 'linked',
  sourcesContent: false,
  write: false,
  logLevel: 'warning',
});
let written = 0;
for (const f of outputFiles) if (await writeIfChanged(f.path, f.contents)) written++;
for (const [path] of LINKS) await link(path, path);
const wanted = new Set([...outputFiles.map((f) => relative(OUT, f.path)), ...LINKS.map(([p]) => p)]);
let removed = 0;
for (const path of existing(OUT)) {
  if (wanted.has(path) || LINKS.some(([p]) => path.startsWith(`${p}/`)) || path.endsWith('.tmp')) continue;
  await unlink(join(OUT, path));
  removed++;
}
const seconds = ((performance.now() - started) / 1000).toFixed(2);
console.log(`build: ${entryPoints.length} files to dist/ in ${seconds} s (${written} written, ${removed} removed)`);
