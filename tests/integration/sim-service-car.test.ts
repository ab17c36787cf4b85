import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServiceCarPosition, serviceCarPositionFilter, topics, validator } from '../../protocol/index.js';
import { VirtualClock } from '../../lib/clock/index.js';
import { getRoute } from '../../simulator/routes/index.js';
import { SimulatedServiceCar, distanceKm, startServiceCarStep, type ServiceCarArrival, type ServiceCarReport } from '../../simulator/service-car/index.js';
import { startRecorder, startTestBroker, type Recorder, type TestBroker } from '../helpers/sim-broker.js';
import { runCli } from '../helpers/sim-cli.js';

/**
 * Issue 12 part 6 (D4.6): a simulated service car drives from a depot to a scene and reports its
 * position on v1/service-cars/{id}/position (QoS 1), on the injected clock, over a real aedes broker.
 */
const DEPOT = { lat: 35.4413, lon: 139.3713 }; // Atsugi IC
const SCENE = { lat: 35.4494, lon: 139.3888 }; // Ebina JCT, about 1.8 km away
const checkPosition = validator(ServiceCarPosition);

type Message = { topic: string; payload: unknown };
const positionsOf = (rec: Recorder, id: string) => rec.messages.filter((m) => m.topic === topics.serviceCarPosition(id)) as Message[];

/** Moves the virtual clock a report interval at a time until the car has arrived. */
async function driveToArrival(car: SimulatedServiceCar, clock: VirtualClock, everyMs: number, onReport?: (r: ServiceCarReport) => void): Promise<ServiceCarArrival> {
  let arrival: ServiceCarArrival | undefined;
  const driving = car.drive(onReport).then((a) => (arrival = a));
  // The last report's PUBACK is real I/O: the clock moves on (nothing left to fire) until it is in.
  for (let i = 0; i < 10_000 && !arrival; i++) await clock.advance(everyMs);
  return driving;
}

describe('simulated service car (D4.6)', () => {
  let broker: TestBroker;
  let rec: Recorder;
  beforeAll(async () => {
    broker = await startTestBroker();
    rec = await startRecorder(broker.url, serviceCarPositionFilter);
  });
  afterAll(async () => {
    await rec.end();
    await broker.stop();
  });

  it('D4.6 straight line: reports in order at each interval, the distance to the scene falls every time, it ends at the scene', async () => {
    const clock = new VirtualClock();
    const car = new SimulatedServiceCar({ id: 'svc-straight', url: broker.url, clock, from: DEPOT, to: SCENE, speedKmh: 60, everyMs: 5_000 });
    await car.connect();
    const arrival = await driveToArrival(car, clock, 5_000);
    await car.end();
    // 60 km/h = 1 km a minute; one report at the depot, one every 5 s of driving, the last at the scene.
    expect(arrival.reports).toBe(1 + Math.ceil(car.lengthKm / (60 * (5 / 3600))));
    await expect.poll(() => positionsOf(rec, 'svc-straight').length).toBe(arrival.reports);
    const msgs = positionsOf(rec, 'svc-straight').map((m) => m.payload as ServiceCarPosition);
    for (const m of msgs) expect(checkPosition.issues(m)).toEqual([]);
    const times = msgs.map((m) => Date.parse(m.ts));
    expect(times.slice(1).map((t, i) => t - times[i]!)).toEqual(Array(msgs.length - 1).fill(5_000));
    const left = msgs.map((m) => distanceKm(m.position, SCENE));
    expect(distanceKm(msgs[0]!.position, DEPOT) * 1000).toBeLessThan(1);
    for (let i = 1; i < left.length; i++) expect(left[i]!).toBeLessThan(left[i - 1]!);
    expect(left.at(-1)! * 1000).toBeLessThan(1); // at the scene, to the metre
    expect(msgs.every((m) => m.position.trusted)).toBe(true);
    expect(arrival.ms).toBe((msgs.length - 1) * 5_000);
  });

  it('D4.6 along a road (Tomei): positions follow the road, the distance left along it falls, it ends at the scene', async () => {
    const clock = new VirtualClock();
    const tomei = getRoute('tomei');
    const from = { lat: 35.551, lon: 139.528 }; // a depot some 400 m from Yokohama-Aoba IC
    const car = new SimulatedServiceCar({ id: 'svc-road', url: broker.url, clock, from, to: SCENE, road: tomei, speedKmh: 100, everyMs: 30_000 });
    await car.connect();
    const left: number[] = [];
    const arrival = await driveToArrival(car, clock, 30_000, (r) => left.push(r.remainingKm));
    await car.end();
    // Depot, then the road's own points between the two interchanges, then the scene.
    expect(car.path.def.points.map((p) => p[2]).filter(Boolean)).toEqual(['depot', 'Yokohama-Aoba IC', 'Yokohama-Machida IC', 'scene']);
    expect(car.lengthKm).toBeGreaterThan(distanceKm(from, SCENE)); // the road bends
    for (let i = 1; i < left.length; i++) expect(left[i]!).toBeLessThan(left[i - 1]!);
    expect(left.at(-1)).toBe(0);
    await expect.poll(() => positionsOf(rec, 'svc-road').length).toBe(arrival.reports);
    const last = positionsOf(rec, 'svc-road').at(-1)!.payload as ServiceCarPosition;
    expect(distanceKm(last.position, SCENE) * 1000).toBeLessThan(1);
  });

  it('as a scenario step {id, from, to, speedKmh}: starts driving and returns; `arrived` resolves at the scene', async () => {
    const clock = new VirtualClock();
    const running = await startServiceCarStep({ id: 'svc-step', from: DEPOT, to: SCENE, speedKmh: 60, everyS: 10 }, { url: broker.url, clock });
    expect(running.summary).toMatch(/^service car svc-step: 1\.\d\d km to the scene at 60 km\/h$/);
    let arrival: ServiceCarArrival | undefined;
    void running.arrived.then((a) => (arrival = a));
    for (let i = 0; i < 1000 && !arrival; i++) await clock.advance(10_000);
    await running.stop();
    expect(arrival!.reports).toBe(1 + Math.ceil(running.car.lengthKm / (60 * (10 / 3600))));
    await expect.poll(() => positionsOf(rec, 'svc-step').length).toBe(arrival!.reports);
  });

  it('`anshin sim service-car` (the built CLI) prints progress, reports on the topic and exits 0 on arrival', async () => {
    const r = await runCli(['sim', 'service-car', '--id', 'svc-cli', '--from', `${DEPOT.lat},${DEPOT.lon}`, '--to', `${SCENE.lat},${SCENE.lon}`, '--speed-kmh', '7200', '--every', '200ms', '--url', broker.url]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^svc-cli arrived at 35\.44940,139\.38880: 1\.\d\d km \(straight line\) in \d\.\d s; (\d+) position reports\n$/);
    const reports = Number(/(\d+) position reports/.exec(r.stdout)![1]);
    expect(r.stderr.split('\n').filter((l) => l.includes('svc-cli:'))).toHaveLength(reports);
    expect(r.stderr).toContain('0.00 km to go');
    await expect.poll(() => positionsOf(rec, 'svc-cli').length).toBe(reports);
  });

  it('an id that is no safe topic level is a usage error (exit 2)', async () => {
    const r = await runCli(['sim', 'service-car', '--id', 'a/#', '--from', '35,139', '--to', '35.1,139', '--url', broker.url]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('a service car id is 1-64 of');
  });
});
