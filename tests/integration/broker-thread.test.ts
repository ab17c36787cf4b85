/**
 * Issue 15: the embedded broker on a worker thread of its own (MQTT_BROKER_THREAD=on, the default). What
 * crosses the thread boundary: car publishes (held until committed), the service's publishes, the
 * broker's log lines, its counters, and the failure of a thread that cannot start. Real aedes in a real
 * worker thread, MQTT.js cars, the real feed.
 */
import { Writable } from 'node:stream';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { topics, type DeadLetter } from '../../protocol/index.js';
import { MemoryStore } from '../../services/incident/store/memory-store.js';
import { startStack } from '../../services/stack.js';
import { validEvent } from '../helpers/raw-mqtt.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';
import { vin } from '../helpers/vins.js';

describe('issue 15: the embedded broker on a thread of its own', () => {
  let stack: TestStack | undefined;
  afterEach(async () => {
    await stack?.close();
    stack = undefined;
  });

  it.each(['on', 'off'] as const)('MQTT_BROKER_THREAD=%s: a crash is a case on the feed, its lockout reaches the car, every byte of a payload crosses unchanged', async (thread) => {
    stack = await startTestStack({ config: { MQTT_BROKER_THREAD: thread } });
    const feed = await stack.feed();
    const v = vin(1501);
    const car = await mqtt.connectAsync(stack.mqttUrl, { clientId: `thread-${thread}`, protocolVersion: 4, reconnectPeriod: 0 });
    try {
      await car.subscribeAsync([topics.lockout(v), topics.deadLetter], { qos: 1 });
      const received: { topic: string; payload: Buffer }[] = [];
      car.on('message', (topic, payload) => received.push({ topic, payload }));
      const event = validEvent(v, 'airbag');
      await car.publishAsync(topics.event(v, 'airbag'), JSON.stringify(event), { qos: 1 });
      await feed.next((m) => m.type === 'case.opened' && m.case.vin === v && m.case.eventId === event.eventId);
      await expect.poll(() => received.filter((m) => m.topic === topics.lockout(v)).map((m) => JSON.parse(m.payload.toString()) as unknown), { timeout: 5_000 }).toContainEqual(
        expect.objectContaining({ vin: v, active: true }),
      );

      // Bytes that are not UTF-8 are dead-lettered with the exact bytes (base64), whichever side of the boundary.
      const bytes = Buffer.from([0x7b, 0xff, 0xfe, 0x00, 0x80, 0xc3, 0x28, 0x7d]);
      await car.publishAsync(topics.event(v, 'sos'), bytes, { qos: 1 });
      await expect
        .poll(() => received.filter((m) => m.topic === topics.deadLetter).map((m) => (JSON.parse(m.payload.toString()) as DeadLetter).payload), { timeout: 5_000 })
        .toContain(bytes.toString('base64'));
    } finally {
      await car.endAsync(true);
    }
  });

  it("the thread's log lines reach the service's logger, with their level and fields", async () => {
    const lines: Record<string, unknown>[] = [];
    const capture = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    stack = await startTestStack({ logger: pino({ level: 'info' }, capture) });
    const rogue = await mqtt.connectAsync(stack.mqttUrl, { clientId: 'rogue', protocolVersion: 4, reconnectPeriod: 0 });
    rogue.publish(topics.commands(vin(1502)), '{}', { qos: 1 });
    await expect.poll(() => rogue.connected, { timeout: 5_000 }).toBe(false);
    await rogue.endAsync(true);
    await expect.poll(() => lines.find((l) => l.msg === 'client publish refused; closing the connection'), { timeout: 5_000 }).toMatchObject({
      level: 40,
      component: 'broker',
      clientId: 'rogue',
      reason: 'backend-only topic',
    });
    expect(lines.some((l) => l.msg === 'embedded broker accepting cars' && l.component === 'broker')).toBe(true);
    expect((await stack.broker!.readStats()).forbiddenPublishes).toBe(1);
  });

  it('a broker thread that cannot start fails the start with its reason', async () => {
    // The cluster (REDIS_URL) is the thread's own Redis connection; the store here is in memory.
    const start = startStack({
      env: {},
      store: new MemoryStore(),
      console: false,
      logger: pino({ level: 'silent' }),
      config: { HTTP_PORT: 0, MQTT_PORT: 0, REDIS_URL: 'redis://127.0.0.1:1' },
    });
    await expect(start).rejects.toThrow(/Redis at redis:\/\/127\.0\.0\.1:1 did not answer/);
  });
});
