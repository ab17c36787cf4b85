/**
 * Issue 9, "bounded resources" on the embedded broker: a keep-alive maximum (a client asking for none
 * gets the server's) and a connection limit refused with a clear CONNACK. Real aedes, MQTT.js clients.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../helpers/stack.js';

let n = 0;
function connect(url: string, keepalive: number): Promise<MqttClient> {
  return mqtt.connectAsync(url, { clientId: `limits-${process.pid}-${++n}`, keepalive, reconnectPeriod: 0, connectTimeout: 5_000, protocolVersion: 4 });
}

describe('issue 9: the embedded broker bounds what a client can hold', () => {
  let stack: TestStack;
  const clients: MqttClient[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
    await stack?.close();
  });

  it('a client with keep-alive 0 is closed once silent for 1.5x MQTT_MAX_KEEPALIVE_S; one that pings within it stays', async () => {
    stack = await startTestStack({ config: { MQTT_MAX_KEEPALIVE_S: 1, MQTT_BROKER_THREAD: 'on' } });
    const silent = await connect(stack.mqttUrl, 0);
    const pinging = await connect(stack.mqttUrl, 1);
    clients.push(silent, pinging);
    let silentClosedAt = 0;
    silent.on('close', () => (silentClosedAt ||= Date.now()));
    const start = Date.now();
    await expect.poll(() => silentClosedAt, { timeout: 5_000 }).toBeGreaterThan(0);
    expect(silentClosedAt - start).toBeGreaterThanOrEqual(1_000);
    expect((await stack.broker!.readStats()).idleClosed).toBe(1);
    // The pinging client outlives the silent one by more than the limit. Deliberately a duration: the
    // rule is that nothing closes it for longer than 1.5 x MQTT_MAX_KEEPALIVE_S; no event marks that.
    await new Promise((r) => setTimeout(r, 2_000));
    expect(pinging.connected).toBe(true);
    expect((await stack.broker!.readStats()).idleClosed).toBe(1);
  });

  it('one connection over MQTT_MAX_CONNECTIONS is refused with CONNACK 3 (server unavailable); a freed place can be taken', async () => {
    stack = await startTestStack({ config: { MQTT_MAX_CONNECTIONS: 2, MQTT_BROKER_THREAD: 'on' } });
    clients.push(await connect(stack.mqttUrl, 60), await connect(stack.mqttUrl, 60));
    const refused = await connect(stack.mqttUrl, 60).then(
      (c) => {
        clients.push(c);
        return null;
      },
      (err: Error & { code?: number }) => err,
    );
    expect(refused?.code).toBe(3);
    expect((await stack.broker!.readStats()).refusedConnections).toBe(1);
    await clients.shift()!.endAsync();
    await expect.poll(async () => {
      const c = await connect(stack.mqttUrl, 60).catch(() => null);
      if (c) clients.push(c);
      return c !== null;
    }, { timeout: 5_000 }).toBe(true);
  });
});
