import { readFile, writeFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { SystemClock } from '../../lib/clock/index.js';
import { canonicalJson } from '../../qa/trace/canonical.js';
import { diffJson, formatDiff } from '../../qa/trace/diff.js';
import { readTraceFile, TraceFileError, type ParsedTrace } from '../../qa/trace/reader.js';
import type { ReplaySpeed } from '../../qa/trace/replay.js';
import { parseTopic } from '../../protocol/topics.js';
import type { CredentialCliOptions } from '../credential-options.js';
import { UsageError } from '../errors.js';
import { checkApi } from '../reach.js';
import { apiToken, carPasswords } from './credentials.js';

export interface ReplayCliOptions extends CredentialCliOptions {
  speed: ReplaySpeed;
  out?: string;
  expect?: string;
  strict?: boolean;
  seed: number;
  url?: string;
  httpUrl: string;
  loop?: string | true;
  topic?: string;
}

async function load(file: string, strict: boolean): Promise<ParsedTrace> {
  try {
    const trace = await readTraceFile(file, { strict });
    for (const w of trace.warnings) process.stderr.write(`warning: ${w}\n`);
    return trace;
  } catch (err) {
    if (err instanceof TraceFileError) throw new UsageError(err.message);
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new UsageError(`${file}: no such file`);
    throw err;
  }
}

/** `anshin trace replay`: in process on a virtual clock (default), or against a running stack (`--url`). */
export async function traceReplay(file: string, o: ReplayCliOptions): Promise<void> {
  const parsed = await load(file, o.strict ?? false);
  const wall = new SystemClock();
  if (!o.url && (o.provision || o.username !== undefined || o.password !== undefined)) throw new UsageError('--username, --password and --provision are for a replay against a running stack (--url)');
  if (o.url) {
    if (o.expect || o.out) throw new UsageError('--expect and --out need an in-process replay (leave out --url)');
    const loops = o.loop === undefined ? 1 : o.loop === true ? Infinity : Number(o.loop);
    if (!(loops >= 1)) throw new UsageError('--loop takes a count >= 1');
    // The broker was checked before this module loaded; the API only matters for operator lines (and --provision).
    if (parsed.lines.some((l) => l.kind === 'operator')) await checkApi(o.httpUrl);
    // AUTH on: every car of the trace connects as itself (its VIN and password).
    const passwords = await carPasswords(traceVins(parsed), o, o.httpUrl);
    const { replayToUrl } = await import('../../qa/trace/replay-url.js');
    const stop = new AbortController();
    process.once('SIGINT', () => stop.abort());
    const token = apiToken(o);
    const s = await replayToUrl(parsed, {
      url: o.url,
      httpUrl: o.httpUrl,
      speed: o.speed,
      loops,
      wallClock: wall,
      signal: stop.signal,
      log: (m) => process.stderr.write(`${m}\n`),
      ...(token ? { token } : {}),
      ...(o.topic ? { topic: o.topic } : {}),
      ...(passwords ? { passwords } : {}),
    });
    process.stdout.write(`${s.loops} loop(s): ${s.published} messages published to ${o.url}${s.skipped ? ` (${s.skipped} skipped)` : ''}; operator actions ${s.operatorOk} ok, ${s.operatorFailed} failed\n`);
    return;
  }
  const { replayTrace } = await import('../../qa/trace/replay.js'); // loads the service: only when replaying in process
  const t0 = performance.now();
  const { outcome, fed } = await replayTrace(parsed, { speed: o.speed, wallClock: wall, seed: o.seed });
  const seconds = (performance.now() - t0) / 1000;
  const text = canonicalJson(outcome);
  if (o.out) await writeFile(o.out, text);
  process.stdout.write(
    `replayed ${parsed.lines.length} lines (${fed} fed: ${outcome.trace.events} in, ${outcome.trace.operatorActions} operator; ${(outcome.trace.durationMs / 60_000).toFixed(1)} min of trace) in ${seconds.toFixed(2)} s (${Math.round(parsed.lines.length / Math.max(seconds, 1e-3))} lines/s): ` +
      `${outcome.cases.length} cases, ${outcome.commands.length} commands, ${outcome.deadLetters.reduce((n, d) => n + d.count, 0)} dead letters${o.out ? ` -> ${o.out}` : ''}\n`,
  );
  if (o.expect) {
    let golden: unknown;
    try {
      golden = JSON.parse(await readFile(o.expect, 'utf8'));
    } catch (err) {
      throw new UsageError(`${o.expect}: ${(err as Error).message}`);
    }
    const diff = diffJson(golden, JSON.parse(text));
    if (diff.length) {
      process.stdout.write(`${formatDiff(diff)}\n`);
      throw new Error(`outcome differs from ${o.expect}: ${diff.length} difference(s)`);
    }
    process.stdout.write(`outcome matches ${o.expect}\n`);
  }
}

/** The cars whose messages the trace replays (`in` lines on a car's topics), in order of appearance. */
function traceVins(trace: ParsedTrace): string[] {
  const vins = new Set<string>();
  for (const l of trace.lines) {
    if (l.kind !== 'mqtt' || l.dir !== 'in') continue;
    const route = parseTopic(l.topic);
    if ('vin' in route) vins.add(route.vin);
  }
  return [...vins];
}
