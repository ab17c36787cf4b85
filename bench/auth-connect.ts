/**
 * Issue 11, "Done when": how fast 10,000 cars connect to the embedded broker with AUTH on, against the
 * same run with AUTH off. A focused bench beside `npm run bench`:
 *
 *   npx tsx bench/auth-connect.ts                       # 10,000 cars, 3 rounds of off / on
 *   npx tsx bench/auth-connect.ts --cars 2000 --rounds 1 --window 200
 *
 * The broker runs in a child process (as in `npm run bench`, so the cars' event loop does not queue in
 * front of it): `createEmbeddedBroker` with an intake that takes every message at once (no service:
 * what is measured is the broker and its auth). For `on` it checks cars with the identity service's own
 * `StoreVehicleCredentials` over a `MemoryStore` (the embedded default), each car's password issued by
 * `issueVehicleCredential` (256 random bits kept as salted SHA-256, with its audit entry), as
 * `PUT /v1/vehicles/{vin}/credentials` does; the child sends the passwords to this process. The child
 * also times issuing and verifying every car's credentials without a broker (the hash's own cost).
 * The cars are `SimulatedCar`s in this process, each doing what a real one does on connect (persistent
 * session, Last Will, retained online status, two subscriptions); `--window` of them connect at a time.
 * Each round measures a cold connect (every password checked against the store) and, after every car
 * dropped its connection, a reconnect (answered from the broker's cache of verified passwords: the
 * verify calls of that phase are counted to show it). Rounds alternate which mode goes first, so that
 * neither always pays this process's warm-up. Prints one Markdown table; timings vary with the
 * machine's load, so compare within one run.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { SystemClock } from '../lib/clock/index.js';
import { createEmbeddedBroker } from '../services/broker/embedded-broker.js';
import { issueVehicleCredential, StoreVehicleCredentials } from '../services/identity/vehicle-credentials.js';
import { MemoryStore } from '../services/incident/store/memory-store.js';
import { SimulatedCar } from '../simulator/car/index.js';

type Mode = 'off' | 'on';

function benchVin(i: number): string {
  return `JT2AE92E3B${String(i).padStart(7, '0')}`;
}

/** The store's credentials, with the broker's calls to `verify` counted. */
class CountingCredentials extends StoreVehicleCredentials {
  verifyCalls = 0;
  override verify(vin: string, password: Buffer): Promise<boolean> {
    this.verifyCalls++;
    return super.verify(vin, password);
  }
}

interface Ready {
  port: number;
  /** VIN -> password (AUTH on), as `PUT /v1/vehicles/{vin}/credentials` answered them. */
  passwords: [string, string][];
  /** Issuing every car's credentials into the store, ms (AUTH on). */
  issueMs: number;
  /** Verifying every car's password against the store once, without the broker, ms (AUTH on). */
  verifyMs: number;
}

/** Child: one broker, told its mode; answers its port (and the cars' passwords), then its counters when asked. */
async function serve(mode: Mode, cars: number): Promise<void> {
  const clock = new SystemClock();
  const store = new MemoryStore({ clock });
  const credentials = new CountingCredentials(store);
  const passwords: [string, string][] = [];
  let issueMs = 0;
  let verifyMs = 0;
  if (mode === 'on') {
    let t = performance.now();
    for (let i = 0; i < cars; i++) {
      const vin = benchVin(i);
      const { password } = await issueVehicleCredential(store, vin, { kind: 'system', id: 'bench' }, { id: `bench-${i}`, now: clock.now() });
      passwords.push([vin, password]);
    }
    issueMs = performance.now() - t;
    const check = new StoreVehicleCredentials(store);
    t = performance.now();
    for (const [vin, password] of passwords) if (!(await check.verify(vin, Buffer.from(password)))) throw new Error(`bench: ${vin} does not verify`);
    verifyMs = performance.now() - t;
  }
  const broker = await createEmbeddedBroker({
    host: '127.0.0.1',
    port: 0,
    maxPacketBytes: 65536,
    maxKeepaliveSeconds: 1200,
    maxConnections: cars * 2 + 100,
    logger: pino({ level: 'silent' }),
    ...(mode === 'on' ? { auth: { vehicles: credentials } } : {}),
  });
  await broker.listen(async () => {});
  process.send!({ port: broker.port, passwords, issueMs, verifyMs } satisfies Ready);
  process.on('message', (msg: { cmd: string }) => {
    if (msg.cmd === 'stats') {
      const cpu = process.cpuUsage();
      process.send!({ verifyCalls: credentials.verifyCalls, refused: broker.stats.authRefused, connected: broker.aedes.connectedClients, cpuMicros: cpu.user + cpu.system });
    }
    if (msg.cmd === 'stop') void broker.close().then(() => process.exit(0));
  });
}

interface Phase {
  connected: number;
  failed: number;
  ms: number;
  /** CPU time the broker process spent in the phase, per car connected (µs): what auth costs, whatever else runs on the machine. */
  brokerCpuMicrosPerCar: number;
  /** Calls to the credential store in the phase (AUTH on; 0 when the broker's cache answered). */
  verifyCalls: number;
}

interface Round {
  cold: Phase;
  warm: Phase;
  issueMs: number;
  verifyMs: number;
}

/** Connects every car, `window` at a time; resolves with how long it took. */
async function connectAll(cars: SimulatedCar[], window: number): Promise<Pick<Phase, 'connected' | 'failed' | 'ms'>> {
  const start = performance.now();
  let next = 0;
  let connected = 0;
  let failed = 0;
  const worker = async () => {
    while (next < cars.length) {
      const car = cars[next++]!;
      await car.connect().then(
        () => connected++,
        () => failed++,
      );
    }
  };
  await Promise.all(Array.from({ length: window }, worker));
  return { connected, failed, ms: performance.now() - start };
}

async function round(mode: Mode, n: number, window: number): Promise<Round> {
  const child = fork(fileURLToPath(import.meta.url), ['--serve', mode, '--cars', String(n)], { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ask = <T>(cmd?: string) =>
    new Promise<T>((resolve) => {
      child.once('message', (m) => resolve(m as T));
      if (cmd) child.send({ cmd });
    });
  const ready = await ask<Ready>();
  const passwords = new Map(ready.passwords);
  const url = `mqtt://127.0.0.1:${ready.port}`;
  const clock = new SystemClock();
  const make = () =>
    Array.from({ length: n }, (_, i) => {
      const password = passwords.get(benchVin(i));
      return new SimulatedCar({ vin: benchVin(i), url, clock, historySize: 4, reconnectPeriodMs: 60_000, ...(password !== undefined ? { password } : {}) });
    });
  type Stats = { verifyCalls: number; connected: number; cpuMicros: number };
  const measured = async (cars: SimulatedCar[]): Promise<Phase> => {
    const before = await ask<Stats>('stats');
    const phase = await connectAll(cars, window);
    const after = await ask<Stats>('stats');
    return { ...phase, brokerCpuMicrosPerCar: (after.cpuMicros - before.cpuMicros) / Math.max(1, phase.connected), verifyCalls: after.verifyCalls - before.verifyCalls };
  };
  let cars = make();
  const cold = await measured(cars);
  await Promise.all(cars.map((c) => c.end({ graceful: false })));
  await new Promise<void>((resolve) => {
    const poll = () => void ask<Stats>('stats').then((s) => (s.connected === 0 ? resolve() : setTimeout(poll, 200)));
    poll();
  });
  cars = make();
  const warm = await measured(cars);
  await Promise.all(cars.map((c) => c.end({ graceful: false })));
  child.send({ cmd: 'stop' });
  await new Promise((resolve) => child.once('exit', resolve));
  return { cold, warm, issueMs: ready.issueMs, verifyMs: ready.verifyMs };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { serve: { type: 'string' }, cars: { type: 'string', default: '10000' }, rounds: { type: 'string', default: '3' }, window: { type: 'string', default: '200' } } });
  const n = Number(values.cars);
  if (values.serve) return serve(values.serve as Mode, n);
  const window = Number(values.window);
  const rounds = Number(values.rounds);
  const results: Record<Mode, Round[]> = { off: [], on: [] };
  const rate = (p: Phase) => (p.connected / p.ms) * 1000;
  for (let r = 0; r < rounds; r++) {
    // Alternate which mode goes first: neither always runs on a cold process.
    for (const mode of r % 2 === 0 ? (['off', 'on'] as const) : (['on', 'off'] as const)) {
      const res = await round(mode, n, window);
      results[mode].push(res);
      process.stderr.write(
        `round ${r + 1} ${mode}: cold ${res.cold.connected}/${n} in ${(res.cold.ms / 1000).toFixed(2)} s (${Math.round(rate(res.cold))}/s, broker ${Math.round(res.cold.brokerCpuMicrosPerCar)} µs CPU/car, ${res.cold.verifyCalls} verify calls), ` +
          `reconnect ${(res.warm.ms / 1000).toFixed(2)} s (${Math.round(rate(res.warm))}/s, ${Math.round(res.warm.brokerCpuMicrosPerCar)} µs/car, ${res.warm.verifyCalls} verify calls), failed ${res.cold.failed + res.warm.failed}` +
          (mode === 'on' ? `; issuing ${n} credentials ${res.issueMs.toFixed(0)} ms, verifying each once ${res.verifyMs.toFixed(0)} ms` : '') +
          '\n',
      );
    }
  }
  const rateOf = (mode: Mode, phase: 'cold' | 'warm') => median(results[mode].map((r) => rate(r[phase])));
  const cpuOf = (mode: Mode, phase: 'cold' | 'warm') => median(results[mode].map((r) => r[phase].brokerCpuMicrosPerCar));
  const failed = (mode: Mode) => results[mode].reduce((s, r) => s + r.cold.failed + r.warm.failed, 0);
  const label = { cold: 'first connect (every password verified)', warm: 'reconnect (cached password)' };
  const us = (ms: number) => ((ms * 1000) / n).toFixed(1);
  const lines = [
    `| ${n.toLocaleString('en')} cars, window ${window}, median of ${rounds} | AUTH off | AUTH on | on / off |`,
    '| --- | ---: | ---: | ---: |',
    ...(['cold', 'warm'] as const).flatMap((phase) => {
      const [off, on] = [rateOf('off', phase), rateOf('on', phase)];
      const [cOff, cOn] = [cpuOf('off', phase), cpuOf('on', phase)];
      return [
        `| ${label[phase]}: cars connected per second | ${Math.round(off)} | ${Math.round(on)} | ${(on / off).toFixed(2)} |`,
        `| ${label[phase]}: broker CPU per car, µs | ${Math.round(cOff)} | ${Math.round(cOn)} | ${(cOn / cOff).toFixed(2)} |`,
      ];
    }),
    `| credential store calls, first connect / reconnect, per round | | ${results.on.map((r) => `${r.cold.verifyCalls} / ${r.warm.verifyCalls}`).join(', ')} | |`,
    `| issuing ${n.toLocaleString('en')} credentials into the store (no broker), per car, µs | | ${median(results.on.map((r) => Number(us(r.issueMs))))} | |`,
    `| verifying ${n.toLocaleString('en')} passwords against the store (no broker), per car, µs | | ${median(results.on.map((r) => Number(us(r.verifyMs))))} | |`,
    `| connects failed (all rounds) | ${failed('off')} | ${failed('on')} | |`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
