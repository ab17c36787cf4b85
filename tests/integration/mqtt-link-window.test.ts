import { connect, type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { SystemClock } from '../../lib/clock/index.js';
import { MqttLink } from '../../services/incident/mqtt-link.js';
import { startTestBroker, type TestBroker } from '../helpers/sim-broker.js';

/**
 * Issue 15: the service's link to an external broker takes several messages at once (cars
 * concurrently), and still writes each PUBACK only after its message was handled (issue 9), in the
 * order the messages came [MQTT-4.6.0-2].
 */
describe('MqttLink: messages in flight at once, PUBACK after the commit and in order', () => {
  let broker: TestBroker | undefined;
  let link: MqttLink | undefined;
  let car: MqttClient | undefined;
  afterEach(async () => {
    await car?.endAsync(true);
    await link?.close();
    await broker?.stop();
  });

  it('handles a second car while the first is uncommitted; PUBACKs wait for their commit and keep arrival order', async () => {
    broker = await startTestBroker();
    const acked: string[] = [];
    broker.broker.on('ack', (packet) => {
      if (packet && 'topic' in packet) acked.push(String(packet.topic));
    });
    const started: string[] = [];
    const commit = new Map<string, () => void>();
    link = new MqttLink({ url: broker.url, clientId: 'link-window-test', clock: new SystemClock(), logger: pino({ level: 'silent' }) });
    await link.connect((topic) => {
      started.push(topic);
      return new Promise<void>((resolve) => commit.set(topic, resolve));
    });
    await expect.poll(() => Object.keys((broker!.broker as unknown as { clients: Record<string, unknown> }).clients).length).toBe(1);
    await new Promise((r) => setTimeout(r, 200)); // the link's SUBSCRIBE
    car = connect(broker.url, { protocolVersion: 4, clientId: 'car', reconnectPeriod: 0 });
    await new Promise<void>((r) => car!.once('connect', () => r()));
    const a = 'v1/vehicles/JANSH000A00000001/events/airbag';
    const b = 'v1/vehicles/JANSH000A00000002/events/airbag';
    await car.publishAsync(a, '{}', { qos: 1 });
    await car.publishAsync(b, '{}', { qos: 1 });

    // Both cars' messages are in the service although the first is not committed.
    await expect.poll(() => started).toEqual([a, b]);
    await new Promise((r) => setTimeout(r, 100));
    expect(acked).toEqual([]);

    // The second commits first: its PUBACK still waits for the first's (arrival order).
    commit.get(b)!();
    await new Promise((r) => setTimeout(r, 100));
    expect(acked).toEqual([]);
    commit.get(a)!();
    await expect.poll(() => acked).toEqual([a, b]);
  }, 20_000);
});
