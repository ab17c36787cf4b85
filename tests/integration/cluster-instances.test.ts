import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedCar } from '../../simulator/car/index.js';
import { SystemClock } from '../../lib/clock/index.js';
import type { Case, FeedMessage } from '../../protocol/index.js';
import { FeedClient } from '../helpers/feed-client.js';
import { startMosquitto, type Mosquitto } from '../../lib/process/mosquitto.js';
import { testRedis, uniquePrefix, type TestRedis } from '../helpers/redis.js';
import { counterTotal, startServiceProcess, type ServiceProcess } from '../../lib/process/service-process.js';
import { vin } from '../helpers/vins.js';

const CARS = 100;
const EVENTS_PER_CAR = 10;
const TOTAL = CARS * EVENTS_PER_CAR;

/**
 * Issue 3: two service instances as OS processes behind Mosquitto with a shared subscription, state in
 * Redis. Every car, broker, socket and Redis is real.
 */
describe('two instances, Mosquitto and Redis', () => {
  let redis: TestRedis;
  let mosquitto: Mosquitto;
  let instances: ServiceProcess[] = [];
  let cars: SimulatedCar[] = [];
  let feeds: FeedClient[] = [];

  beforeAll(async () => {
    redis = await testRedis();
  });
  afterAll(async () => redis.close());
  afterEach(async () => {
    for (const f of feeds) f.close();
    await Promise.all(cars.map((c) => c.end({ graceful: false }).catch(() => {})));
    await Promise.all(instances.map((i) => i.close()));
    await mosquitto?.close();
    instances = [];
    cars = [];
    feeds = [];
  });

  async function startCluster() {
    mosquitto = await startMosquitto();
    const env = { MQTT_URL: mosquitto.url, MQTT_SHARED_GROUP: 'anshin', REDIS_URL: redis.url, REDIS_KEY_PREFIX: uniquePrefix('cluster') };
    instances = await Promise.all([
      startServiceProcess('a', { env: { ...env, MQTT_CLIENT_ID: 'anshin-a' } }),
      startServiceProcess('b', { env: { ...env, MQTT_CLIENT_ID: 'anshin-b' } }),
    ]);
    const clock = new SystemClock();
    cars = Array.from({ length: CARS }, (_, i) => new SimulatedCar({ vin: vin(1000 + i), url: mosquitto.url, clock, seed: i + 1 }));
    await Promise.all(cars.map((c) => c.connect()));
  }

  /** Each car fires its emergency events one after another (airbag, SOS, impact over the threshold). */
  async function fireAll(): Promise<string[]> {
    const ids: string[][] = await Promise.all(
      cars.map(async (car) => {
        const mine: string[] = [];
        for (let k = 0; k < EVENTS_PER_CAR; k++) {
          const kind = k % 3;
          mine.push(kind === 0 ? await car.airbag() : kind === 1 ? await car.pressSos() : await car.impact(20 + k, 'front'));
        }
        return mine;
      }),
    );
    return ids.flat();
  }

  const openedIds = (feed: FeedClient) =>
    feed.messages.filter((m) => m.type === 'case.opened').map((m) => (m as FeedMessage & { case: Case }).case.id);

  async function allCases(instance: ServiceProcess): Promise<Case[]> {
    return (await (await fetch(`${instance.httpUrl}/v1/cases?status=open`)).json()) as Case[];
  }

  /** Every event a case stands for: one call at a time, a car's later events join its live call (`triggers`). */
  const eventIds = (cases: Case[]) => cases.flatMap((c) => (c.triggers ?? [{ eventId: c.eventId }]).map((t) => t.eventId));

  /** Until the open cases hold `n` events (each once, or the check below fails). */
  async function allEventsIn(instance: ServiceProcess, n: number): Promise<Case[]> {
    await expect.poll(async () => eventIds(await allCases(instance)).length, { timeout: 60_000, interval: 200 }).toBeGreaterThanOrEqual(n);
    return allCases(instance);
  }

  it(`100 cars fire ${TOTAL} emergency events: one case per car holding its ${EVENTS_PER_CAR} events once (one call at a time), both instances share the work, both feeds agree on the order`, async () => {
    await startCluster();
    feeds = await Promise.all(instances.map((i) => FeedClient.live(`${i.httpUrl.replace('http', 'ws')}/v1/operator/ws`)));
    const started = performance.now();
    const fired = await fireAll();
    await Promise.all(feeds.map((f) => f.count((m) => m.type === 'case.opened', CARS, 60_000)));
    const cases = await allEventsIn(instances[0]!, TOTAL);
    const elapsed = performance.now() - started;

    expect(cases).toHaveLength(CARS);
    expect(eventIds(cases)).toHaveLength(TOTAL);
    expect(new Set(eventIds(cases))).toEqual(new Set(fired));
    // An instance counts an event once its commit's reply is back, which may be just after the case is
    // visible to this reader: wait for the counters to settle rather than read them once.
    const counted = async () => Promise.all(instances.map(async (i) => counterTotal(await i.metrics(), 'anshin_events_total')));
    await expect.poll(async () => (await counted()).reduce((a, b) => a + b, 0), { timeout: 10_000, interval: 50 }).toBe(TOTAL);
    const perInstance = await counted();
    expect(perInstance.every((n) => n > 0)).toBe(true);
    expect(openedIds(feeds[0]!)).toEqual(openedIds(feeds[1]!));
    console.info(`[cluster] ${TOTAL} events -> ${cases.length} cases on both feeds in ${elapsed.toFixed(0)} ms; events per instance: ${perInstance.join(' / ')}`);
  }, 120_000);

  it(`SIGKILL one instance in the middle of the stream: still exactly ${TOTAL} cases, no duplicates, none lost`, async () => {
    await startCluster();
    const [a, b] = instances as [ServiceProcess, ServiceProcess];
    const feed = await FeedClient.live(`${b.httpUrl.replace('http', 'ws')}/v1/operator/ws`);
    feeds = [feed];
    const started = performance.now();
    const firing = fireAll();
    // a quarter of the events in: each opened a case or joined its car's live call
    const caseMessage = (m: { type: string }) => m.type === 'case.opened' || m.type === 'case.updated';
    await feed.count(caseMessage, TOTAL / 4, 60_000);
    await a.kill('SIGKILL');
    const killedAt = feed.messages.filter(caseMessage).length;
    const fired = await firing;
    await a.restart(); // a supervisor restarts it: its persistent session hands over what it never acknowledged
    const cases = await allEventsIn(b, TOTAL);
    const elapsed = performance.now() - started;

    expect(cases).toHaveLength(CARS);
    expect(eventIds(cases)).toHaveLength(TOTAL); // none twice
    expect(new Set(eventIds(cases))).toEqual(new Set(fired));
    expect(new Set(openedIds(feed)).size).toBe(CARS);
    const aMetrics = await a.metrics();
    console.info(`[cluster-kill] killed a after ${killedAt} case messages; ${TOTAL} events in ${cases.length} cases, 0 duplicates, in ${elapsed.toFixed(0)} ms; a after restart processed ${counterTotal(aMetrics, 'anshin_events_total')} events, dedup'ed ${aMetrics.match(/reason="duplicate_event"} (\d+)/)?.[1] ?? 0}`);
  }, 120_000);
});
