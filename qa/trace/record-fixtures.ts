import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import type { Scenario } from '../../protocol/index.js';
import { ulidFactory } from '../../lib/ids.js';
import { MemoryStore } from '../../services/incident/store/memory-store.js';
import { startStack } from '../../services/stack.js';
import { seededTrackTokens } from '../../services/incident/track.js';
import { mulberry32 } from '../../simulator/car/prng.js';
import { BUILT_IN_DIR, OperatorClient, formatReport, loadScenario, runScenario, type ScenarioReport } from '../../simulator/scenario/index.js';
import { canonicalJson } from './canonical.js';
import { drive } from './drive.js';
import { InboundGate } from './inbound-gate.js';
import { LoopbackWatch } from './loopback.js';
import { readTraceFile } from './reader.js';
import { recordEmbedded } from './record-embedded.js';
import { replayTrace } from './replay.js';
import { StepClock } from './step-clock.js';

/** The run's seed (VINs, the cars' randomness) and the stack's id generator: fixed, so reruns agree. */
export const FIXTURE_SEED = 1;
/** Virtual start of every recording. */
const T0 = Date.UTC(2026, 10, 21, 9, 0, 0);
/** Which version of each scenario the fixtures were recorded from (`scenarioDigest`), by name. */
export const SOURCES_FILE = 'sources.json';

/** The built-in scenarios: the YAML files in simulator/scenarios/, by name. */
export async function builtInScenarios(): Promise<string[]> {
  return (await readdir(BUILT_IN_DIR))
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort();
}

/**
 * What a recording depends on in a scenario: all of it but the prose (description, rules, notes), as
 * sorted-key JSON, hashed. A fixture whose digest is not its scenario's any more is stale.
 */
export function scenarioDigest(s: Scenario): string {
  const { description: _d, rules: _r, assumes: _a, ...rest } = s;
  const noNotes = JSON.parse(JSON.stringify(rest, (key, value: unknown) => (key === 'note' ? undefined : value))) as unknown;
  return `sha256:${createHash('sha256').update(canonicalJson(noNotes)).digest('hex')}`;
}

export interface RecordedFixture {
  trace: string;
  golden: string;
  lines: number;
  report: ScenarioReport;
  digest: string;
}

/**
 * Records one built-in scenario: runs its YAML with the scenario runner (real MQTT.js cars, operator
 * steps over HTTP, its expectations) against the whole embedded stack (aedes broker, HTTP API,
 * MemoryStore) started with the scenario's `config`, everything on one virtual clock that `drive`
 * moves only when nothing is on its way. The trace's `t` is virtual time, so an hour costs no wall
 * time, and the same YAML gives the same trace byte for byte. Fails when the scenario's own
 * expectations fail. Then replays the trace to write the golden outcome.
 */
export async function recordFixture(name: string, dir: string): Promise<RecordedFixture> {
  const { scenario } = await loadScenario(name);
  const clock = new StepClock(T0);
  const sockets = new LoopbackWatch();
  const rng = mulberry32(FIXTURE_SEED);
  const stack = await startStack({
    env: {},
    clock,
    store: new MemoryStore(),
    console: false,
    newId: ulidFactory(clock, () => rng.next()),
    // D4.6: tracking tokens from their own seeded source, so the app messages in the trace are byte-stable.
    newToken: seededTrackTokens(mulberry32(FIXTURE_SEED + 1).next),
    // The broker on the service's loop: what it publishes is recorded in the same turn, so a fixture's
    // lines do not depend on when a thread's messages arrive.
    config: { HTTP_PORT: 0, MQTT_PORT: 0, LOG_LEVEL: 'silent', MQTT_BROKER_THREAD: 'off', ...scenario.config },
    logger: pino({ level: 'silent' }),
  });
  sockets.watchPorts(stack.broker!.port, Number(new URL(stack.httpUrl).port));
  const gate = new InboundGate(stack);
  const trace = join(dir, `${scenario.name}.ndjson`);
  const recording = recordEmbedded(stack, trace, { clock, scenario: scenario.name, inbound: gate, omitUrl: true });
  const http = new OperatorClient(stack.httpUrl);
  let report: ScenarioReport;
  try {
    report = await drive(runScenario({ scenario, url: stack.mqttUrl, http, clock, seed: FIXTURE_SEED }), {
      clock,
      gate,
      sockets,
      busy: () => http.pending > 0,
      progress: () => String(http.requests),
    });
  } finally {
    await recording.stop();
    gate.close();
    sockets.close();
    await stack.close();
  }
  if (!report.passed) throw new Error(`${scenario.name}: the scenario's own expectations failed in the recording\n${formatReport(report)}`);
  const { outcome } = await replayTrace(await readTraceFile(trace, { strict: true }));
  const golden = join(dir, `${scenario.name}.golden.json`);
  await writeFile(golden, canonicalJson(outcome));
  return { trace, golden, lines: recording.lines, report, digest: scenarioDigest(scenario) };
}

/** `anshin trace fixtures [scenario...]`: re-records the named built-in scenarios (all by default). */
export async function recordFixtures(dir: string, names: string[] = []): Promise<void> {
  await mkdir(dir, { recursive: true });
  const known = await builtInScenarios();
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length) throw new Error(`unknown scenario(s) ${unknown.join(', ')}; known: ${known.join(', ')}`);
  const sources = await readSources(dir);
  for (const name of names.length ? known.filter((n) => names.includes(n)) : known) {
    const r = await recordFixture(name, dir);
    sources[name] = r.digest;
    await writeFile(join(dir, SOURCES_FILE), canonicalJson(sources));
    process.stdout.write(`${name}: ${r.report.steps.length} steps passed, ${r.lines} lines -> ${r.trace}, ${r.golden}\n`);
  }
}

export async function readSources(dir: string): Promise<Record<string, string>> {
  try {
    return JSON.parse(await readFile(join(dir, SOURCES_FILE), 'utf8')) as Record<string, string>;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw err;
  }
}
