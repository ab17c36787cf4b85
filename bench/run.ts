import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem, loadavg } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { MODES, type ModeName } from './modes.js';
import { benchReplay, type ReplayParams, type ReplayResult } from './replay.js';
import { renderMarkdown } from './report.js';
import { runMode, type BenchParams, type ModeResult } from './run-mode.js';
import { PROJECT_ROOT as ROOT } from '../lib/paths.js';
import { evaluateTargets, type TargetCheck } from './targets.js';

export interface BenchOptions {
  quick?: boolean;
  /** Overrides of the preset. */
  cars?: number;
  steadySeconds?: number;
  /** Issue 15: crashes in the unpaced burst (0: none). */
  burst?: number;
  modes?: ModeName[];
  replay?: boolean;
  /** Directory for <timestamp>.json, latest.md (default bench/results). */
  outDir?: string;
  /** Also write latest.json (the committed full-run result). */
  writeLatest?: boolean;
  /** Profile the service processes (node --cpu-prof into <outDir>/prof). */
  cpuProf?: boolean;
  /** Extra node flags and environment for the service processes (A/B runs of a setting; not in the CLI). */
  nodeArgs?: string[];
  serviceEnv?: Record<string, string>;
  log?: (m: string) => void;
}

export interface BenchResult {
  kind: 'anshin-bench';
  version: 1;
  startedAt: string;
  finishedAt: string;
  quick: boolean;
  machine: { cpus: number; cpuModel: string; memGb: number; node: string; loadAvgAtStart: number[]; commit: string | null };
  params: BenchParams & { replay: ReplayParams };
  modes: ModeResult[];
  replay: ReplayResult;
  targets: TargetCheck[];
  /** Total cases expected on the feed that never came (steady + storm + burst, all modes). */
  lost: number;
}

export const PRESETS: Record<'full' | 'quick', BenchParams & { replay: ReplayParams }> = {
  full: {
    cars: 10_000,
    rampPerSec: 1000,
    connectDeadlineMs: 150_000,
    settleMs: 5000,
    steadyMs: 60_000,
    crashesPerSec: 20,
    stormSize: 1000,
    stormWindowMs: 1000,
    burstSize: 10_000,
    floorCount: 2000,
    floorRatePerSec: 200,
    blastCount: 20_000,
    seed: 6,
    replay: { cars: 1000, telemetryEveryMs: 30_000, durationMs: 62 * 60_000 },
  },
  quick: {
    cars: 200,
    rampPerSec: 1000,
    connectDeadlineMs: 30_000,
    settleMs: 500,
    steadyMs: 2000,
    crashesPerSec: 20,
    stormSize: 100,
    stormWindowMs: 1000,
    burstSize: 100,
    floorCount: 100,
    floorRatePerSec: 200,
    blastCount: 1000,
    seed: 6,
    replay: { cars: 60, telemetryEveryMs: 60_000, durationMs: 62 * 60_000 },
  },
};

function gitCommit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

/** Runs every mode one after another (never two at once: they would share the two cores), then the replay. */
export async function runBench(opts: BenchOptions = {}): Promise<{ result: BenchResult; markdown: string; jsonPath: string }> {
  const log = opts.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const preset = PRESETS[opts.quick ? 'quick' : 'full'];
  const params = { ...preset, ...(opts.cars ? { cars: opts.cars } : {}), ...(opts.steadySeconds ? { steadyMs: opts.steadySeconds * 1000 } : {}), ...(opts.burst !== undefined ? { burstSize: opts.burst } : {}) };
  params.stormSize = Math.min(params.stormSize, Math.floor(params.cars * 0.6));
  const outDir = opts.outDir ?? join(ROOT, 'bench/results');
  await mkdir(outDir, { recursive: true });
  const nodeArgs = [...(opts.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${join(outDir, 'prof')}`] : []), ...(opts.nodeArgs ?? [])];
  const startedAt = new Date();
  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memGb: Math.round(totalmem() / 2 ** 30), node: process.version, loadAvgAtStart: loadavg().map((l) => Math.round(l * 100) / 100), commit: gitCommit() };

  const modes: ModeResult[] = [];
  for (const mode of opts.modes ?? MODES) modes.push(await runMode(mode, params, log, nodeArgs, opts.serviceEnv));
  const replay: ReplayResult = opts.replay === false ? { status: 'skipped', reason: 'not selected (--no-replay)' } : await benchReplay(params.replay, log);

  const lost = modes.reduce((n, m) => n + (m.steady?.lost ?? 0) + (m.storm?.lost ?? 0) + (m.burst?.lost ?? 0), 0);
  const result: BenchResult = {
    kind: 'anshin-bench',
    version: 1,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    quick: opts.quick ?? false,
    machine,
    params,
    modes,
    replay,
    targets: [],
    lost,
  };
  result.targets = evaluateTargets(result);
  const markdown = renderMarkdown(result);
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  const jsonPath = join(outDir, `${stamp}${opts.quick ? '-quick' : ''}.json`);
  const json = `${JSON.stringify(result, null, 2)}\n`;
  await writeFile(jsonPath, json);
  // latest.md and latest.json are the committed full-run result: only --latest replaces them.
  if (opts.quick) await writeFile(join(outDir, 'latest-quick.md'), markdown);
  if (opts.writeLatest) {
    await writeFile(join(outDir, 'latest.md'), markdown);
    await writeFile(join(outDir, 'latest.json'), json);
  }
  return { result, markdown, jsonPath };
}
