import { writeFile } from 'node:fs/promises';
import { InvalidArgumentError, type Command } from 'commander';
import type { ReplaySpeed } from '../qa/trace/replay.js';
import type { RecordCliOptions } from './actions/trace-record.js';
import type { ReplayCliOptions } from './actions/trace-replay.js';
import { addCredentialOptions } from './credential-options.js';
import { reachable } from './reach.js';
import { DEFAULT_HTTP_URL, DEFAULT_MQTT_URL, parseDuration, parseHttpUrl, parseInteger, parseMqttUrl } from './options.js';

function parseSpeed(value: string): ReplaySpeed {
  if (value === 'max') return 'max';
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected max or a number > 0 (1 = real time, 10 = ten times faster).');
  return n;
}

/** The `trace` subcommands (issue 4, parts 5-6); each action loads the trace code it runs. */
export function defineTrace(trace: Command): void {
  trace
    .command('record')
    .description('record every v1/ publish (both directions) and operator action to an NDJSON trace')
    .requiredOption('--out <file>', 'trace file to write')
    .option('--url <url>', 'broker to record from (a v1/# subscriber)', parseMqttUrl, DEFAULT_MQTT_URL)
    .option('--embedded', 'start the whole stack in this process (like npm start) and record through its broker hook')
    .option('--duration <d>', 'stop after this long (e.g. 30s, 10m); default: until Ctrl-C', parseDuration)
    .option('--username <u>', 'broker user name')
    .option('--password <p>', 'broker password')
    .option('--include-retained', 'also record retained messages the broker sends on subscribe (state from before the recording)')
    .option('--progress-every <d>', 'without a terminal: print the count of lines this often (on a terminal it counts live)', parseDuration, 5_000)
    .action(async (o: RecordCliOptions) => {
      const [{ traceRecord }] = await Promise.all([import('./actions/trace-record.js'), o.embedded ? undefined : reachable({ mqtt: o.url })]);
      await traceRecord(o);
    });

  const replay = trace
    .command('replay')
    .description('replay a trace into a fresh in-process service on a virtual clock (default) or against a running stack (--url)')
    .argument('<file>', 'trace (NDJSON)')
    .option('--speed <speed>', 'max (default), or 1, 10, ...: trace time / speed in wall time', parseSpeed, 'max')
    .option('--out <file>', 'write the outcome (JSON, normalised, keys sorted)')
    .option('--expect <golden>', 'compare the outcome with this file; exit 1 with a diff when it differs')
    .option('--strict', 'a truncated last line is an error, not a warning')
    .option('--seed <n>', 'seed of the replay id generator', parseInteger, 1)
    .option('--url <url>', 'replay the in lines against this running broker in wall time / speed instead', parseMqttUrl)
    .option('--http-url <url>', 'with --url: the stack HTTP API for operator lines', parseHttpUrl, DEFAULT_HTTP_URL)
    .option('--loop [n]', 'with --url: replay n times (no n: until Ctrl-C)')
    .option('--topic <filter>', 'with --url: only in lines whose topic matches this MQTT filter');
  addCredentialOptions(replay, "with --url, AUTH on: the trace's one car's MQTT password (username: its VIN)").action(async (file: string, o: ReplayCliOptions) => {
    const [{ traceReplay }] = await Promise.all([import('./actions/trace-replay.js'), o.url ? reachable({ mqtt: o.url, ...(o.provision ? { http: o.httpUrl } : {}) }) : undefined]);
    await traceReplay(file, o);
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
      const { generateTrace, toNdjson } = await import('../qa/trace/generate.js');
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
