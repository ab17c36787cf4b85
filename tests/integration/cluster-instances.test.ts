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

  it(`100 cars fire ${TOTAL} emergency events: exactly ${TOTAL} cases, both instances share the work, both feeds agree on the order`, async () => {
    await startCluster();
    feeds = await Promise.all(instances.map((i) => FeedClient.connect(`${i.httpUrl.replace('http', 'ws')}/v1/operator/ws`)));
    const started = performance.now();
    const fired = await fireAll();
    await Promise.all(feeds.map((f) => f.count((m) => m.type === 'case.opened', TOTAL, 60_000)));
    const elapsed = performance.now() - started;

    const cases = await allCases(instances[0]!);
    expect(cases).toHaveLength(TOTAL);
    expect(new Set(cases.map((c) => c.eventId))).toEqual(new Set(fired));
    const perInstance = await Promise.all(instances.map(async (i) => counterTotal(await i.metrics(), 'anshin_events_total')));
    expect(perInstance.every((n) => n > 0)).toBe(true);
    expect(perInstance.reduce((a, b) => a + b, 0)).toBe(TOTAL);
    expect(openedIds(feeds[0]!)).toEqual(openedIds(feeds[1]!));
    console.info(`[cluster] ${TOTAL} events -> ${TOTAL} cases on both feeds in ${elapsed.toFixed(0)} ms; events per instance: ${perInstance.join(' / ')}`);
  }, 120_000);

  it(`SIGKILL one instance in the middle of the stream: still exactly ${TOTAL} cases, no duplicates, none lost`, async () => {
    await startCluster();
    const [a, b] = instances as [ServiceProcess, ServiceProcess];
    const feed = await FeedClient.connect(`${b.httpUrl.replace('http', 'ws')}/v1/operator/ws`);
    feeds = [feed];
    const started = performance.now();
    const firing = fireAll();
    await feed.count((m) => m.type === 'case.opened', TOTAL / 4, 60_000);
    await a.kill('SIGKILL');
    const killedAt = feed.messages.filter((m) => m.type === 'case.opened').length;
    const fired = await firing;
    await a.restart(); // a supervisor restarts it: its persistent session hands over what it never acknowledged
    await feed.count((m) => m.type === 'case.opened', TOTAL, 60_000);
    const elapsed = performance.now() - started;

    const cases = await allCases(b);
    expect(cases).toHaveLength(TOTAL);
    expect(new Set(cases.map((c) => c.eventId))).toEqual(new Set(fired));
    expect(new Set(openedIds(feed)).size).toBe(TOTAL);
    const aMetrics = await a.metrics();
    console.info(`[cluster-kill] killed a after ${killedAt} cases; ${TOTAL} cases, 0 duplicates, in ${elapsed.toFixed(0)} ms; a after restart processed ${counterTotal(aMetrics, 'anshin_events_total')} events, dedup'ed ${aMetrics.match(/reason="duplicate_event"} (\d+)/)?.[1] ?? 0}`);
  }, 120_000);
});
