import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { generateTrace, toNdjson } from '../qa/trace/generate.js';
import { PROJECT_ROOT as ROOT } from '../lib/paths.js';

const run = promisify(execFile);

export interface ReplayParams {
  cars: number;
  telemetryEveryMs: number;
  durationMs: number;
}

export type ReplayResult =
  | { status: 'skipped'; reason: string }
  | { status: 'failed'; reason: string }
  | {
      status: 'ok';
      command: string;
      traceLines: number;
      fed: number;
      /** What `trace replay` itself reports: the replay loop, file already parsed. */
      replaySeconds: number;
      eventsPerSec: number;
      /** The whole command, process start and file parsing included. */
      wallSeconds: number;
      eventsPerSecWall: number;
    };

const ANSHIN = join(ROOT, 'bin/anshin.js');

/**
 * Events per second of `anshin trace replay <file> --speed max`, run as the CLI a user runs, on a trace
 * from `generateTrace` (what `anshin trace generate` writes; the trace code of issue 4). "Events" are the lines fed to the
 * service (inbound MQTT messages and operator actions), as the command counts them.
 */
export async function benchReplay(p: ReplayParams, log: (m: string) => void): Promise<ReplayResult> {
  const dir = await mkdtemp(join(tmpdir(), 'anshin-bench-trace-'));
  try {
    const file = join(dir, 'bench.ndjson');
    // What `anshin trace generate` writes, generated here to save a process start.
    const trace = generateTrace({ cars: p.cars, durationMs: p.durationMs, telemetryEveryMs: p.telemetryEveryMs, seed: 6 });
    await writeFile(file, toNdjson(trace));
    log(`[replay] generated ${trace.lines.length} lines (${p.cars} cars, telemetry every ${p.telemetryEveryMs / 1000} s, ${p.durationMs / 60_000} min)`);
    const args = [ANSHIN, 'trace', 'replay', file, '--speed', 'max'];
    const t0 = performance.now();
    const out = await run(process.execPath, args, { cwd: ROOT, maxBuffer: 1 << 20 });
    const wallSeconds = (performance.now() - t0) / 1000;
    const m = /replayed (\d+) lines \((\d+) fed.*?\) in ([\d.]+) s/.exec(out.stdout);
    if (!m) return { status: 'failed', reason: `unexpected output of trace replay: ${out.stdout.slice(0, 300)}` };
    const [traceLines, fed, seconds] = [Number(m[1]), Number(m[2]), Number(m[3])];
    log(`[replay] ${out.stdout.trim()}`);
    return {
      status: 'ok',
      command: `anshin trace replay <${traceLines}-line trace of ${p.cars} cars> --speed max`,
      traceLines,
      fed,
      replaySeconds: seconds,
      eventsPerSec: Math.round(fed / Math.max(seconds, 1e-3)),
      wallSeconds: Math.round(wallSeconds * 100) / 100,
      eventsPerSecWall: Math.round(fed / wallSeconds),
    };
  } catch (err) {
    return { status: 'failed', reason: (err as Error).message.slice(0, 500) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
