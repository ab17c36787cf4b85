import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { PROJECT_ROOT, projectPath } from '../../lib/paths.js';
import type { Plan } from './options.js';
import { markdownTable, runLine, summarize, textTable, type ScenarioSummary } from './report.js';
import { kindOf } from './scenarios/index.js';
import { newResult, type RunContext, type RunResult, type SuiteParams } from './scenarios/kind.js';

export const RESULTS_DIR = projectPath('qa', 'chaos', 'results');

export interface SuiteResult {
  kind: 'anshin-chaos';
  version: 1;
  ok: boolean;
  startedAt: string;
  finishedAt: string;
  wallMs: number;
  argv: string[];
  label: string | null;
  quick: boolean;
  params: SuiteParams;
  runsPerScenario: number;
  /**
   * The code measured: HEAD, the product files changed in the working tree at the start, and a hash of
   * those changes (the diff against HEAD plus untracked files' contents), so two results can be compared.
   */
  tree: { commit: string | null; changed: string[]; changesSha256: string | null };
  host: { cpus: number; loadAverageAtStart: number[] };
  summary: ScenarioSummary[];
  skipped: Array<{ scenario: string; reason: string }>;
  runs: RunResult[];
}

/** Teardown steps of the run in progress, for the watchdog and for Ctrl-C. */
const cleanups = new Set<() => Promise<void>>();
let current: AbortController | null = null;

/** Ctrl-C: abort the run in progress and tear down what it started (bounded), before exiting. */
export async function abortSuite(reason: string): Promise<void> {
  current?.abort(reason);
  await Promise.race([Promise.all([...cleanups].map((f) => f().catch(() => {}))), new Promise((r) => setTimeout(r, 15_000))]);
}

export async function runSuite(plan: Plan, opts: { argv: string[]; label?: string | undefined; quick: boolean; out?: string | undefined; json?: string | undefined; latest?: boolean; log: (line: string) => void }): Promise<{ result: SuiteResult; jsonPath: string }> {
  const started = performance.now();
  const result: SuiteResult = {
    kind: 'anshin-chaos',
    version: 1,
    ok: false,
    startedAt: new Date().toISOString(),
    finishedAt: '',
    wallMs: 0,
    argv: opts.argv,
    label: opts.label ?? null,
    quick: opts.quick,
    params: plan.params,
    runsPerScenario: plan.runs,
    tree: treeState(),
    host: { cpus: cpus().length, loadAverageAtStart: loadavg().map((x) => Math.round(x * 100) / 100) },
    summary: [],
    skipped: [],
    runs: [],
  };
  const todo: Array<{ s: Plan['scenarios'][number]; run: number }> = [];
  for (const s of plan.scenarios) {
    const reason = kindOf(s.variant)!.notApplicable(s.mode, s.variant);
    if (reason) result.skipped.push({ scenario: `${s.mode.id} × ${s.variant}`, reason });
    else for (let run = 1; run <= plan.runs; run++) todo.push({ s, run });
  }
  const p = plan.params;
  opts.log(`chaos: ${todo.length} runs; ${p.cars} cars, ${p.events} airbag events (QoS 1, ${p.burst ? 'burst' : `paced over ${p.paceMs} ms`}), fault at ${p.faultAt * 100}% acknowledged`);
  for (const sk of result.skipped) opts.log(`  skipped ${sk.scenario}: ${sk.reason}`);

  for (const [i, { s, run }] of todo.entries()) {
    const r = await runOne(s.mode, s.variant, run, plan.params);
    result.runs.push(r);
    opts.log(runLine(r, i + 1, todo.length));
  }

  result.summary = summarize(result.runs);
  result.ok = result.runs.length > 0 && result.runs.every((r) => r.ok);
  result.finishedAt = new Date().toISOString();
  result.wallMs = Math.round(performance.now() - started);
  opts.log('');
  opts.log(textTable(result.summary));
  opts.log('');
  opts.log(
    result.ok
      ? 'chaos: every acknowledged event has exactly one case'
      : result.runs.length === 0
        ? 'chaos: FAILED: nothing ran (every scenario was skipped)'
        : 'chaos: FAILED (see the runs above)',
  );

  const dir = opts.out ?? RESULTS_DIR;
  await mkdir(dir, { recursive: true });
  const stamp = result.startedAt.replace(/[:.]/g, '-');
  const jsonPath = join(dir, `${stamp}${opts.quick ? '-quick' : ''}.json`);
  const json = `${JSON.stringify(result, null, 2)}\n`;
  const md = markdownTable(result.summary, `# npm run chaos ${opts.argv.join(' ')}\n\n${result.label ? `${result.label}; ` : ''}${result.startedAt}, ${result.tree.commit?.slice(0, 10) ?? '?'}${result.tree.changed.length ? ` + ${result.tree.changed.length} changed files (${result.tree.changesSha256})` : ''}, load average ${result.host.loadAverageAtStart.join(' ')}; ${p.cars} cars, ${p.events} events, ${p.burst ? 'burst' : `paced ${p.paceMs} ms`}`);
  await writeFile(jsonPath, json);
  // latest.* are the committed full-matrix result (README): a run of a few scenarios must not replace them.
  if (opts.latest) {
    await writeFile(join(dir, 'latest.json'), json);
    await writeFile(join(dir, 'latest.md'), md);
  }
  if (opts.json) {
    await mkdir(dirname(opts.json), { recursive: true });
    await writeFile(opts.json, json);
  }
  opts.log(`results: ${jsonPath}`);
  return { result, jsonPath };
}

/** One run under a watchdog: past `runTimeoutMs` it is aborted, torn down and recorded as an error. */
async function runOne(mode: Plan['scenarios'][number]['mode'], variant: string, run: number, params: SuiteParams): Promise<RunResult> {
  const kind = kindOf(variant)!;
  const abort = new AbortController();
  current = abort;
  const ctx: RunContext = {
    params,
    run,
    signal: abort.signal,
    onCleanup(fn) {
      cleanups.add(fn);
      return () => cleanups.delete(fn);
    },
  };
  const t0 = performance.now();
  const running = kind.run(mode, variant, ctx).catch((err: unknown) => {
    const r = newResult(kind.kind, mode, variant, run);
    r.error = err instanceof Error ? err.message : String(err);
    r.failures.push(`run error: ${r.error}`);
    return r;
  });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), params.runTimeoutMs)));
  let outcome = await Promise.race([running, timedOut]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    abort.abort(`run exceeded ${params.runTimeoutMs} ms`);
    await Promise.all([...cleanups].map((f) => f().catch(() => {})));
    outcome = await Promise.race([running, new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 30_000))]);
    const r = outcome === 'timeout' ? newResult(kind.kind, mode, variant, run) : outcome;
    r.error = `run exceeded ${params.runTimeoutMs} ms and was aborted`;
    r.failures.push(r.error);
    r.ok = false;
    outcome = r;
  }
  cleanups.clear();
  current = null;
  outcome.wallMs ||= Math.round(performance.now() - t0);
  return outcome;
}

function treeState(): SuiteResult['tree'] {
  // Read-only git: --no-optional-locks keeps `git status` from refreshing the index.
  const git = (args: string[]) => execFileSync('git', ['--no-optional-locks', ...args], { cwd: PROJECT_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 * 1024 * 1024 });
  const paths = ['services', 'protocol', 'simulator'];
  try {
    const changed = git(['status', '--porcelain', '--untracked-files=all', '--', ...paths]).split('\n').filter(Boolean);
    const hash = createHash('sha256').update(git(['diff', 'HEAD', '--', ...paths]));
    for (const line of changed) {
      if (!line.startsWith('??')) continue;
      const file = line.slice(3);
      hash.update(file).update(readFileSync(join(PROJECT_ROOT, file)));
    }
    return { commit: git(['rev-parse', 'HEAD']).trim(), changed, changesSha256: changed.length ? hash.digest('hex').slice(0, 16) : null };
  } catch {
    return { commit: null, changed: [], changesSha256: null };
  }
}
