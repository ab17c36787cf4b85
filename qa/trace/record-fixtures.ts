import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import type { MaybePosition } from '../../protocol/index.js';
import { SystemClock, VirtualClock } from '../../lib/clock/index.js';
import { MemoryStore } from '../../services/incident/store/memory-store.js';
import { startStack } from '../../services/stack.js';
import { SimulatedCar } from '../../simulator/car/index.js';
import { canonicalJson } from './canonical.js';
import { readTraceFile } from './reader.js';
import { recordEmbedded } from './record-embedded.js';
import { replayTrace } from './replay.js';
import { FIXTURE_SCENARIOS, type FixtureScenario, type ScenarioContext } from './scenarios.js';

/** Fixture VINs: JT2AE92E3K + 7 digits (valid ISO 3779). */
export function fixtureVin(n: number): string {
  return `JT2AE92E3K${String(n).padStart(7, '0')}`;
}

const T0 = Date.UTC(2026, 10, 21, 9, 0, 0);

/**
 * Records one scenario against a real stack (embedded aedes broker, HTTP API, MemoryStore) running on
 * a VirtualClock, with real MQTT.js cars and real HTTP operator calls; `t` in the trace is the virtual
 * time, so a 60-minute lockout takes no wall time. Then replays the trace to write its golden outcome.
 */
export async function recordFixture(scenario: FixtureScenario, dir: string): Promise<{ trace: string; golden: string; lines: number }> {
  const wall = new SystemClock();
  const clock = new VirtualClock(T0);
  const stack = await startStack({ env: {}, clock, store: new MemoryStore(), console: false, config: { HTTP_PORT: 0, MQTT_PORT: 0, LOG_LEVEL: 'silent' }, logger: pino({ level: 'silent' }) });
  const trace = join(dir, `${scenario.name}.ndjson`);
  const recording = recordEmbedded(stack, trace, { clock, scenario: scenario.name });
  const cars: SimulatedCar[] = [];
  const sleep = (ms: number) => new Promise<void>((r) => wall.setTimer(ms, r));
  const quiet = async () => {
    let last = -1;
    while (recording.lines !== last) {
      last = recording.lines;
      await sleep(60);
    }
  };
  const ctx: ScenarioContext = {
    async car(n: number, position?: MaybePosition) {
      const car = new SimulatedCar({ vin: fixtureVin(n), url: stack.mqttUrl, clock, seed: n, ...(position !== undefined ? { position } : {}) });
      await car.connect();
      cars.push(car);
      return car;
    },
    async op(action, car, eventId, close) {
      await quiet();
      const list = (await (await fetch(`${stack.httpUrl}/v1/cases?status=open`)).json()) as { id: string; vin: string; eventId: string }[];
      const c = list.find((x) => x.vin === car.vin && x.eventId === eventId);
      if (!c) throw new Error(`${scenario.name}: no open case for ${car.vin} ${eventId}`);
      const res = await fetch(`${stack.httpUrl}/v1/cases/${c.id}/${action}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-operator-id': 'op-qa-1' },
        body: JSON.stringify(close ?? {}),
      });
      if (!res.ok) throw new Error(`${scenario.name}: ${action} answered ${res.status} ${await res.text()}`);
      await quiet();
    },
    async advance(ms) {
      await clock.advance(ms);
      await quiet();
    },
    quiet,
  };
  try {
    await scenario.run(ctx);
    await quiet();
    await Promise.all(cars.map((c) => c.end()));
    await quiet();
  } finally {
    await recording.stop();
    await stack.close();
  }
  const { outcome } = await replayTrace(await readTraceFile(trace, { strict: true }));
  const golden = join(dir, `${scenario.name}.golden.json`);
  await writeFile(golden, canonicalJson(outcome));
  return { trace, golden, lines: recording.lines };
}

export async function recordFixtures(dir: string, names: string[] = []): Promise<void> {
  await mkdir(dir, { recursive: true });
  const unknown = names.filter((n) => !FIXTURE_SCENARIOS.some((s) => s.name === n));
  if (unknown.length) throw new Error(`unknown scenario(s) ${unknown.join(', ')}; known: ${FIXTURE_SCENARIOS.map((s) => s.name).join(', ')}`);
  for (const s of FIXTURE_SCENARIOS) {
    if (names.length && !names.includes(s.name)) continue;
    const r = await recordFixture(s, dir);
    process.stdout.write(`${s.name}: ${r.lines} lines -> ${r.trace}, ${r.golden}\n`);
  }
}
