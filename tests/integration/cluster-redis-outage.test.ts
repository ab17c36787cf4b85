import { afterEach, describe, expect, it } from 'vitest';
import type { Case } from '../../protocol/index.js';
import { until } from '../../lib/process/free-port.js';
import { startMosquitto, type Mosquitto } from '../../lib/process/mosquitto.js';
import { startRedisServer, type RedisServer } from '../helpers/redis.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';
import { vin } from '../helpers/vins.js';

/**
 * Issue 3: Redis stops in the middle of ingest. The service stops acknowledging rather than dropping
 * (the broker keeps what was not acknowledged), /readyz says 503, and everything is caught up when
 * Redis is back. Mosquitto is the broker, so the outage hits the store only.
 */
describe('Redis outage during ingest', () => {
  let redis: RedisServer | undefined;
  let mosquitto: Mosquitto | undefined;
  let stack: TestStack | undefined;
  afterEach(async () => {
    await stack?.close();
    await mosquitto?.close();
    await redis?.close();
  });

  it('/readyz goes 503 and back; no event is lost', async () => {
    redis = await startRedisServer({ appendonly: true });
    mosquitto = await startMosquitto();
    stack = await startTestStack({ config: { REDIS_URL: redis.url, MQTT_URL: mosquitto.url, MQTT_CLIENT_ID: 'anshin-outage' } });
    const s = stack;
    const cars = await Promise.all(Array.from({ length: 10 }, (_, i) => s.car(vin(2000 + i), i + 1)));
    const fired: string[] = [];
    const fireRound = async () => {
      for (const car of cars) fired.push(await car.airbag());
    };

    await fireRound();
    await until(async () => ((await s.http('GET', '/v1/cases?status=open')).body as Case[]).length === 10, 10_000, 'first round');

    const outageStarted = performance.now();
    await redis.stop();
    await until(async () => (await s.http('GET', '/readyz')).status === 503, 10_000, 'readyz 503');
    const readyz = await s.http('GET', '/readyz');
    expect(readyz.body.checks.store).not.toBe('ok');
    await fireRound(); // the broker acknowledges the cars; the service does not acknowledge the broker yet
    await fireRound();
    // The service has those events and holds them, unacknowledged, while the store is away.
    await until(async () => Number(/^anshin_ingest_held (\S+)/m.exec((await s.http('GET', '/metrics')).body as string)?.[1] ?? 0) > 0, 10_000, 'events held');
    await redis.start();
    await until(async () => (await s.http('GET', '/readyz')).status === 200, 20_000, 'readyz 200');
    const recovered = performance.now() - outageStarted;

    // One call at a time: each car's later airbags join its live call, listed in the case's `triggers`.
    const eventIds = (cases: Case[]) => cases.flatMap((c) => (c.triggers ?? [{ eventId: c.eventId }]).map((t) => t.eventId));
    await until(async () => eventIds((await s.http('GET', '/v1/cases?status=open')).body as Case[]).length === 30, 30_000, 'all 30 events');
    const cases = (await s.http('GET', '/v1/cases?status=open')).body as Case[];
    expect(cases).toHaveLength(10);
    expect(eventIds(cases)).toHaveLength(30);
    expect(new Set(eventIds(cases))).toEqual(new Set(fired));
    console.info(`[redis-outage] ${fired.length} events, ${cases.length} cases, 0 lost; ready again ${recovered.toFixed(0)} ms after the outage began`);
  }, 90_000);
});
