/**
 * Issue 11, "Done when": how fast 10,000 cars connect to the embedded broker with AUTH on, against the
 * same run with AUTH off. A focused bench beside `npm run bench`:
 *
 *   npx tsx bench/auth-connect.ts                       # 10,000 cars, 3 rounds of off / on
 *   npx tsx bench/auth-connect.ts --cars 2000 --rounds 1 --window 200
 *
 * The broker runs in a child process (as in `npm run bench`, so the cars' event loop does not queue in
 * front of it): `createEmbeddedBroker` with an intake that takes every message at once (no store: what
 * is measured is the broker and its auth), and, for `on`, a VehicleCredentials that keeps a salted
 * SHA-256 per car in memory, as services/identity/vehicle-credentials.ts does over the store.
 * The cars are `SimulatedCar`s in this process, each doing what a real one does on connect (persistent
 * session, Last Will, retained online status, two subscriptions); `--window` of them connect at a time.
 * Each round measures a cold connect (every password checked against the credentials) and, after every
 * car dropped its connection, a reconnect (answered from the broker's cache of verified passwords).
 * Prints one Markdown table; timings vary with the machine's load, so compare within one run.
 */
import { fork } from 'node:child_process';
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { SystemClock } from '../lib/clock/index.js';
import { createEmbeddedBroker } from '../services/broker/embedded-broker.js';
import type { VehicleCredentials } from '../services/broker/vehicle-auth.js';
import { SimulatedCar } from '../simulator/car/index.js';

type Mode = 'off' | 'on';
const SEED = 'anshin-auth-bench';

/** The password of a bench car: the same in both processes, none sent over IPC. */
function passwordOf(vin: string): string {
  return createHmac('sha256', SEED).update(vin).digest('base64url');
}

function benchVin(i: number): string {
  return `JT2AE92E3B${String(i).padStart(7, '0')}`;
}

/** Salted SHA-256 per car, in memory (the store adapter's shape without the store). */
class BenchCredentials implements VehicleCredentials {
  verifyCalls = 0;
  private readonly kept = new Map<string, { salt: Buffer; hash: Buffer }>();
  constructor(cars: number) {
    for (let i = 0; i < cars; i++) {
      const vin = benchVin(i);
      const salt = createHash('sha256').update(vin).digest().subarray(0, 16);
      this.kept.set(vin, { salt, hash: createHash('sha256').update(salt).update(passwordOf(vin)).digest() });
    }
  }
  async verify(vin: string, password: Buffer): Promise<boolean> {
    this.verifyCalls++;
    const k = this.kept.get(vin);
    return k !== undefined && timingSafeEqual(k.hash, createHash('sha256').update(k.salt).update(password).digest());
  }
  onRevoked(): () => void {
    return () => {};
  }
}

/** Child: one broker, told its mode; answers its port, then its counters when asked. */
async function serve(mode: Mode, cars: number): Promise<void> {
  const credentials = new BenchCredentials(cars);
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
  process.send!({ port: broker.port });
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
  brokerCpuMicrosPerCar?: number;
}

/** Connects every car, `window` at a time; resolves with how long it took. */
async function connectAll(cars: SimulatedCar[], window: number): Promise<Phase> {
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

async function round(mode: Mode, n: number, window: number): Promise<{ cold: Phase; warm: Phase; verifyCalls: number }> {
  const child = fork(fileURLToPath(import.meta.url), ['--serve', mode, '--cars', String(n)], { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ask = <T>(cmd?: string) =>
    new Promise<T>((resolve) => {
      child.once('message', (m) => resolve(m as T));
      if (cmd) child.send({ cmd });
    });
  const { port } = await ask<{ port: number }>();
  const url = `mqtt://127.0.0.1:${port}`;
  const clock = new SystemClock();
  const make = () =>
    Array.from({ length: n }, (_, i) => new SimulatedCar({ vin: benchVin(i), url, clock, historySize: 4, reconnectPeriodMs: 60_000, ...(mode === 'on' ? { password: passwordOf(benchVin(i)) } : {}) }));
  type Stats = { verifyCalls: number; connected: number; cpuMicros: number };
  const measured = async (cars: SimulatedCar[]): Promise<Phase> => {
    const before = await ask<Stats>('stats');
    const phase = await connectAll(cars, window);
    const after = await ask<Stats>('stats');
    return { ...phase, brokerCpuMicrosPerCar: (after.cpuMicros - before.cpuMicros) / Math.max(1, phase.connected) };
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
  const stats = await ask<Stats>('stats');
  await Promise.all(cars.map((c) => c.end({ graceful: false })));
  child.send({ cmd: 'stop' });
  await new Promise((resolve) => child.once('exit', resolve));
  return { cold, warm, verifyCalls: stats.verifyCalls };
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
  const results: Record<Mode, Array<{ cold: Phase; warm: Phase; verifyCalls: number }>> = { off: [], on: [] };
  for (let r = 0; r < Number(values.rounds); r++) {
    for (const mode of ['off', 'on'] as const) {
      const res = await round(mode, n, window);
      results[mode].push(res);
      const rate = (p: Phase) => Math.round((p.connected / p.ms) * 1000);
      const cpu = (p: Phase) => Math.round(p.brokerCpuMicrosPerCar ?? 0);
      process.stderr.write(
        `round ${r + 1} ${mode}: cold ${res.cold.connected}/${n} in ${(res.cold.ms / 1000).toFixed(2)} s (${rate(res.cold)}/s, broker ${cpu(res.cold)} µs CPU/car), ` +
          `reconnect ${(res.warm.ms / 1000).toFixed(2)} s (${rate(res.warm)}/s, ${cpu(res.warm)} µs/car), verify calls ${res.verifyCalls}, failed ${res.cold.failed + res.warm.failed}\n`,
      );
    }
  }
  const rateOf = (mode: Mode, phase: 'cold' | 'warm') => median(results[mode].map((r) => (r[phase].connected / r[phase].ms) * 1000));
  const cpuOf = (mode: Mode, phase: 'cold' | 'warm') => median(results[mode].map((r) => r[phase].brokerCpuMicrosPerCar ?? 0));
  const label = { cold: 'first connect (every password verified)', warm: 'reconnect (cached password)' };
  const lines = [
    `| ${n.toLocaleString('en')} cars, window ${window}, median of ${values.rounds} | AUTH off | AUTH on | on / off |`,
    '| --- | ---: | ---: | ---: |',
    ...(['cold', 'warm'] as const).flatMap((phase) => {
      const [off, on] = [rateOf('off', phase), rateOf('on', phase)];
      const [cOff, cOn] = [cpuOf('off', phase), cpuOf('on', phase)];
      return [
        `| ${label[phase]}: cars connected per second | ${Math.round(off)} | ${Math.round(on)} | ${(on / off).toFixed(2)} |`,
        `| ${label[phase]}: broker CPU per car, µs | ${Math.round(cOff)} | ${Math.round(cOn)} | ${(cOn / cOff).toFixed(2)} |`,
      ];
    }),
    `| verify calls per round (first connect + reconnect), AUTH on | | ${results.on.map((r) => r.verifyCalls).join(', ')} | |`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
