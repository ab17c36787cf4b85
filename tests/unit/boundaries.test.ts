/**
 * Issue 10, "folder boundaries that hold": imports between top-level folders run one way, as
 * ../shared/LAYOUT.md and each folder's README say. Two checks: the import graph of the whole tree
 * (every relative import resolved to its folder), and ESLint itself failing on a wrong-way import, so
 * `npm run lint` keeps the picture true while someone writes code.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { ALLOWED_IMPORTS, TOP_FOLDERS } from '../../eslint.boundaries.js';

const ROOT = normalize(join(import.meta.dirname, '../..'));
const SOURCE = /\.(ts|tsx|js|mjs)$/;
const SPECIFIER = /(?:import|export)[^'"`;]*?from\s*['"](\.{1,2}\/[^'"]+)['"]|import\s*\(\s*['"](\.{1,2}\/[^'"]+)['"]|import\s+['"](\.{1,2}\/[^'"]+)['"]/g;

function* sources(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (['node_modules', 'dist', 'results', 'fixtures'].includes(entry.name) || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sources(path);
    else if (SOURCE.test(entry.name)) yield path;
  }
}

/** Every import from one top-level folder into another: `from -> to` with one example file each. */
function folderEdges(): Map<string, string> {
  const edges = new Map<string, string>();
  for (const top of TOP_FOLDERS) {
    for (const file of sources(join(ROOT, top))) {
      for (const m of readFileSync(file, 'utf8').matchAll(SPECIFIER)) {
        const spec = m[1] ?? m[2] ?? m[3]!;
        const target = relative(ROOT, normalize(join(dirname(file), spec))).split('/')[0]!;
        // Files at the top (package.json, eslint.boundaries.js) are nobody's folder.
        if (target !== top && TOP_FOLDERS.includes(target) && !edges.has(`${top} -> ${target}`)) edges.set(`${top} -> ${target}`, relative(ROOT, file));
      }
    }
  }
  return edges;
}

describe('issue 10: folder boundaries (LAYOUT.md)', () => {
  it('every import between top-level folders runs one of the allowed ways', () => {
    const wrong = [...folderEdges()].filter(([edge]) => {
      const [from, to] = edge.split(' -> ') as [string, string];
      return !(ALLOWED_IMPORTS[from] ?? []).includes(to);
    });
    expect(wrong.map(([edge, file]) => `${edge} (${file})`)).toEqual([]);
  });

  it('the folders import each other in no circle', () => {
    const next = new Map<string, string[]>();
    for (const edge of folderEdges().keys()) {
      const [from, to] = edge.split(' -> ') as [string, string];
      next.set(from, [...(next.get(from) ?? []), to]);
    }
    const state = new Map<string, 'open' | 'done'>();
    const circle = (node: string, path: string[]): string[] | null => {
      if (state.get(node) === 'done') return null;
      if (state.get(node) === 'open') return [...path, node];
      state.set(node, 'open');
      for (const to of next.get(node) ?? []) {
        const found = circle(to, [...path, node]);
        if (found) return found;
      }
      state.set(node, 'done');
      return null;
    };
    for (const top of TOP_FOLDERS) expect(circle(top, [])).toBeNull();
  });

  it('lint fails on a wrong-way import: the service importing the simulator', async () => {
    const eslint = new ESLint({ cwd: ROOT });
    const [result] = await eslint.lintText("import { SimulatedCar } from '../../simulator/car/index.js';\nexport const car = SimulatedCar;\n", {
      filePath: join(ROOT, 'services/incident/wrong-way.ts'),
    });
    const messages = result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
    expect(messages).toEqual([expect.stringContaining('services/ may import protocol/ and lib/ only')]);
  });
});
