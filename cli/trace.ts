import { readFile, writeFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { InvalidArgumentError, type Command } from 'commander';
import { SystemClock } from '../lib/clock/index.js';
import { loadConfig } from '../services/config.js';
import { canonicalJson } from '../qa/trace/canonical.js';
import { diffJson, formatDiff } from '../qa/trace/diff.js';
import { generateTrace, toNdjson } from '../qa/trace/generate.js';
import { pickTraceConfig } from '../qa/trace/lines.js';
import { readTraceFile, TraceFileError, type ParsedTrace } from '../qa/trace/reader.js';
import type { Recording } from '../qa/trace/record-embedded.js';
import { recordMqtt } from '../qa/trace/record-mqtt.js';
import { replayToUrl } from '../qa/trace/replay-url.js';
import type { ReplaySpeed } from '../qa/trace/replay.js';
import { UsageError } from './errors.js';
import { cliLogger } from './logger.js';
import { DEFAULT_HTTP_URL, DEFAULT_MQTT_URL, parseDuration, parseInteger } from './options.js';

function parseSpeed(value: string): ReplaySpeed {
  if (value === 'max') return 'max';
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected max or a number > 0 (1 = real time, 10 = ten times faster).');
  return n;
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

/** `anshin trace record|replay|generate|fixtures`: QA traces (issue 4, parts 5-6; simulator/README.md "Traces"). */
export function registerTrace(program: Command): void {
  const trace = program.command('trace').description('record MQTT traffic and operator actions as NDJSON traces; replay them deterministically and diff the outcome');

  trace
    .command('record')
    .description('record every v1/ publish (both directions) and operator action to an NDJSON trace')
    .requiredOption('--out <file>', 'trace file to write')
    .option('--url <url>', 'broker to record from (a v1/# subscriber)', DEFAULT_MQTT_URL)
    .option('--embedded', 'start the whole stack in this process (like npm start) and record through its broker hook')
    .option('--duration <d>', 'stop after this long (e.g. 30s, 10m); default: until Ctrl-C', parseDuration)
    .option('--username <u>', 'broker user name')
    .option('--password <p>', 'broker password')
    .option('--include-retained', 'also record retained messages the broker sends on subscribe (state from before the recording)')
    .action(async (o: { out: string; url: string; embedded?: boolean; duration?: number; username?: string; password?: string; includeRetained?: boolean }) => {
      const wall = new SystemClock();
      // The header carries the backend's configuration; from the environment, as the service reads it.
      const config = loadConfig(process.env, { LOG_LEVEL: 'warn' });
      let recording: Recording;
      let close = async () => {};
      if (o.embedded) {
        const [{ startStack }, { recordEmbedded }] = await Promise.all([import('../services/stack.js'), import('../qa/trace/record-embedded.js')]);
        const stack = await startStack({ logger: cliLogger() });
        recording = recordEmbedded(stack, o.out);
        close = () => stack.close();
        process.stderr.write(`recording the embedded stack (mqtt ${stack.mqttUrl}, http ${stack.httpUrl}) to ${o.out}; Ctrl-C to stop\n`);
      } else {
        recording = await recordMqtt({ url: o.url, out: o.out, config: pickTraceConfig(config), wallClock: wall, ...(o.username ? { username: o.username, password: o.password ?? '' } : {}), ...(o.includeRetained ? { includeRetained: true } : {}) });
        process.stderr.write(`recording v1/# on ${o.url} to ${o.out}; Ctrl-C to stop\n`);
      }
      await new Promise<void>((resolve) => {
        const timer = o.duration !== undefined ? wall.setTimer(o.duration, resolve) : undefined;
        const stop = () => {
          if (timer) wall.clearTimer(timer);
          resolve();
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await recording.stop(); // flushed: every line written so far is whole
      await close();
      process.stdout.write(`${recording.lines} lines recorded to ${o.out}\n`);
    });

  trace
    .command('replay')
    .description('replay a trace into a fresh in-process service on a virtual clock (default) or against a running stack (--url)')
    .argument('<file>', 'trace (NDJSON)')
    .option('--speed <speed>', 'max (default), or 1, 10, ...: trace time / speed in wall time', parseSpeed, 'max')
    .option('--out <file>', 'write the outcome (JSON, normalised, keys sorted)')
    .option('--expect <golden>', 'compare the outcome with this file; exit 1 with a diff when it differs')
    .option('--strict', 'a truncated last line is an error, not a warning')
    .option('--seed <n>', 'seed of the replay id generator', parseInteger, 1)
    .option('--url <url>', 'replay the in lines against this running broker in wall time / speed instead')
    .option('--http-url <url>', 'with --url: the stack HTTP API for operator lines', DEFAULT_HTTP_URL)
    .option('--token <token>', 'with --url: API token', process.env.API_TOKEN)
    .option('--loop [n]', 'with --url: replay n times (no n: until Ctrl-C)')
    .option('--topic <filter>', 'with --url: only in lines whose topic matches this MQTT filter')
    .action(async (file: string, o: { speed: ReplaySpeed; out?: string; expect?: string; strict?: boolean; seed: number; url?: string; httpUrl: string; token?: string; loop?: string | true; topic?: string }) => {
      const parsed = await load(file, o.strict ?? false);
      const wall = new SystemClock();
      if (o.url) {
        if (o.expect || o.out) throw new UsageError('--expect and --out need an in-process replay (leave out --url)');
        const loops = o.loop === undefined ? 1 : o.loop === true ? Infinity : Number(o.loop);
        if (!(loops >= 1)) throw new UsageError('--loop takes a count >= 1');
        const stop = new AbortController();
        process.once('SIGINT', () => stop.abort());
        const s = await replayToUrl(parsed, { url: o.url, httpUrl: o.httpUrl, speed: o.speed, loops, wallClock: wall, signal: stop.signal, log: (m) => process.stderr.write(`${m}\n`), ...(o.token ? { token: o.token } : {}), ...(o.topic ? { topic: o.topic } : {}) });
        process.stdout.write(`${s.loops} loop(s): ${s.published} messages published to ${o.url}; operator actions ${s.operatorOk} ok, ${s.operatorFailed} failed\n`);
        return;
      }
      const { replayTrace } = await import('../qa/trace/replay.js'); // loads the service: only when replaying
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
    });

  trace
    .command('generate')
    .description('write a synthetic trace: cars online, telemetry, incidents with operator steps, a lockout expiry (seeded)')
    .requiredOption('--out <file>', 'trace file to write')
    .option('--cars <n>', 'number of cars', parseInteger, 300)
    .option('--duration <d>', 'trace length', parseDuration, 62 * 60_000)
    .option('--telemetry-every <d>', 'telemetry period per car', parseDuration, 60_000)
    .option('--seed <n>', 'PRNG seed', parseInteger, 42)
    .action(async (o: { out: string; cars: number; duration: number; telemetryEvery: number; seed: number }) => {
      const t = generateTrace({ cars: o.cars, durationMs: o.duration, seed: o.seed, telemetryEveryMs: o.telemetryEvery });
      await writeFile(o.out, toNdjson(t));
      process.stdout.write(`${t.lines.length} lines -> ${o.out}\n`);
    });

  trace
    .command('fixtures')
    .description('re-record the trace fixtures: run each built-in scenario against a real stack on a virtual clock, then write its golden outcome')
    .argument('[scenario...]', 'only these scenarios')
    .option('--dir <dir>', 'where the fixtures live', 'tests/fixtures/traces')
    .action(async (names: string[], o: { dir: string }) => {
      const { recordFixtures } = await import('../qa/trace/record-fixtures.js');
      await recordFixtures(o.dir, names);
    });
}
