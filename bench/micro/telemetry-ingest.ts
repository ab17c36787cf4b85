/**
 * Micro-benchmark of the telemetry path (services/README.md, "Ingest stages"): CPU time per telemetry
 * message through `IncidentService.ingest` on the memory store, median of ROUNDS rounds of N messages,
 * CARS cars moving along a line (every sample has a new position). Run it from the sources:
 *
 *   CARS=10000 npx tsx bench/micro/telemetry-ingest.ts [rounds] [messages] [cars with an open case]
 *
 * CARS (default 1,000) is the fleet size: at 10,000 a car's records are cold in the CPU caches and
 * old in the heap by its next sample, as in the bench's steady load.
 *
 * It prints one line per round and the median; compare two trees on a quiet machine, side by side.
 */
import { pino } from 'pino';
import { isoTime, topics } from '../../protocol/index.js';
import { SystemClock } from '../../lib/clock/index.js';
import { loadConfig } from '../../services/config.js';
import { MemoryStore } from '../../services/incident/store/index.js';
import { IncidentService } from '../../services/incident/service.js';

const ROUNDS = Number(process.argv[2] ?? 11);
const N = Number(process.argv[3] ?? 100_000);
/** Cars with an open case (an SOS each) before the rounds: their samples are checked against their case. */
const OPEN = Number(process.argv[4] ?? 0);
const CARS = Number(process.env.CARS ?? 1_000);

const clock = new SystemClock();
const store = new MemoryStore({ clock });
const service = new IncidentService({
  store,
  clock,
  config: loadConfig({}),
  logger: pino({ level: 'silent' }),
  newId: (() => {
    let n = 0;
    return () => `id-${++n}`;
  })(),
  outbound: { publish: (_t, _p, _o, done) => done?.() },
});

const vins = Array.from({ length: CARS }, (_, i) => `JT2AE92E3K${String(i).padStart(7, '0')}`);
const start = Date.UTC(2026, 10, 21, 10, 0, 0);
let step = 0;

/**
 * The next `n` samples, made before a round is measured: every car's samples move on in time (1 s)
 * and along the road (about 25 m, 90 km/h), so no sample is a stale repeat of an earlier one.
 */
function samples(n: number): { topic: string; payload: Buffer }[] {
  return Array.from({ length: n }, (_, i) => {
    const car = i % CARS;
    if (car === 0) step++;
    const vin = vins[car]!;
    const payload = {
      v: 1,
      vin,
      ts: isoTime(start + step * 1000),
      position: { lat: 35 + car * 0.001 + (step % 4000) * 0.000225, lon: 139 + car * 0.001, headingDeg: 0, trusted: true },
      speedKmh: 90,
      powerMode: 'on',
    };
    return { topic: topics.telemetry(vin), payload: Buffer.from(JSON.stringify(payload)) };
  });
}

/**
 * The position batches (issue 12; absent from older trees): flushed once per fleet-second, as the
 * POSITION_FLUSH_MS timer would (a timer does not fire inside this loop), and counted in the time. On
 * this memory store a flush saves nothing (`positionsShared` is false); Redis's cost is not in here.
 */
const positions = (service as unknown as { positions?: { flush(): Promise<void> } }).positions;

async function round(): Promise<number> {
  const messages = samples(N);
  const before = process.cpuUsage();
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i]!;
    await service.ingest(m.topic, m.payload);
    if (positions && (i + 1) % CARS === 0) await positions.flush();
  }
  const used = process.cpuUsage(before);
  return (used.user + used.system) / N;
}

for (let i = 0; i < OPEN; i++) {
  const vin = vins[i]!;
  const sos = { v: 1, eventId: `sos-${i}`, vin, type: 'sos', ts: isoTime(start), position: null, data: {} };
  await service.ingest(topics.event(vin, 'sos'), Buffer.from(JSON.stringify(sos)));
}

await round(); // warm-up
const results: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  const us = await round();
  results.push(us);
  console.log(`round ${r + 1}: ${us.toFixed(3)} µs CPU per telemetry message`);
}
results.sort((a, b) => a - b);
console.log(`median of ${ROUNDS} rounds of ${N}: ${results[Math.floor(ROUNDS / 2)]!.toFixed(3)} µs (min ${results[0]!.toFixed(3)}, max ${results.at(-1)!.toFixed(3)})`);
await service.stop();
await store.close();
