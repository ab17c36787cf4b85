import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

/**
 * `npx tsx bench/support/prof-summary.ts <file.cpuprofile>… [--top 25]`: self time by function from a
 * V8 CPU profile (what `npm run bench -- --cpu-prof` writes), the largest first, with each one's share
 * of the sampled time and of the non-idle time; also the totals by package (node_modules/<name>, node:
 * internals, the project's own files, GC, idle).
 */
interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: Node[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const args = process.argv.slice(2);
const topAt = args.indexOf('--top');
const top = topAt >= 0 ? Number(args[topAt + 1]) : 25;
const files = args.filter((a, i) => !a.startsWith('--') && (topAt < 0 || i !== topAt + 1));

function where(url: string): string {
  if (!url) return '(native)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (url.startsWith('node:')) return 'node:internal';
  const m = /\/(services|lib|protocol|cli|simulator)\/(.*)$/.exec(url);
  return m ? `${m[1]}/${m[2]}` : basename(url);
}

for (const file of files) {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  // timeDeltas[i] is the time before sample i; attribute it to the sample's node.
  for (let i = 0; i < p.samples.length; i++) self.set(p.samples[i]!, (self.get(p.samples[i]!) ?? 0) + (p.timeDeltas[i] ?? 0));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const fn = new Map<string, number>();
  const pkg = new Map<string, number>();
  let idle = 0;
  for (const [id, us] of self) {
    const n = byId.get(id)!;
    const name = n.callFrame.functionName || '(anonymous)';
    if (name === '(idle)') idle += us;
    const key = `${name}  ${where(n.callFrame.url)}${n.callFrame.url ? `:${n.callFrame.lineNumber + 1}` : ''}`;
    fn.set(key, (fn.get(key) ?? 0) + us);
    const k = ['(idle)', '(garbage collector)', '(program)'].includes(name) ? name : where(n.callFrame.url);
    pkg.set(k, (pkg.get(k) ?? 0) + us);
  }
  const busy = total - idle;
  const pct = (us: number, of: number) => `${((us / of) * 100).toFixed(1)}%`;
  console.log(`\n## ${basename(file)}: ${(total / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(1)} s not idle (${pct(busy, total)})`);
  console.log('\nby package (share of non-idle):');
  for (const [k, us] of [...pkg].sort((a, b) => b[1] - a[1]).slice(0, 15)) if (k !== '(idle)') console.log(`  ${pct(us, busy).padStart(6)}  ${(us / 1e3).toFixed(0).padStart(7)} ms  ${k}`);
  console.log(`\ntop ${top} functions by self time (share of non-idle):`);
  for (const [k, us] of [...fn].sort((a, b) => b[1] - a[1]).filter(([k]) => !k.startsWith('(idle)')).slice(0, top)) console.log(`  ${pct(us, busy).padStart(6)}  ${(us / 1e3).toFixed(0).padStart(7)} ms  ${k}`);
}
