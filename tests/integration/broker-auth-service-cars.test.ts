/**
 * Issue 12 part 6 (D4.6) and D4.5, the embedded broker with AUTH=on: a service car logs in as
 * `svc-<id>` with credentials from `PUT /v1/service-cars/{id}/credentials` (admin) and may publish its
 * own position only; the mail gateway's account `anshin-mail` reads `v1/outbox/email` only.
 */
import type { MqttClient } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { topics, type ServiceCarCredentialsIssued } from '../../protocol/index.js';
import { granted, tryConnect } from '../helpers/mqtt-auth.js';
import { validEvent } from '../helpers/raw-mqtt.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';
import { vin } from '../helpers/vins.js';

const MAIL_PASSWORD = 'mail-secret-1';
const position = (lat: number) => JSON.stringify({ v: 1, ts: new Date().toISOString(), position: { lat, lon: 139.8, trusted: true } });

/** Publishes at QoS 1; resolves 'acked' on PUBACK, 'closed' when the broker closes the connection instead. */
function publishOutcome(client: MqttClient, topic: string, payload: string): Promise<'acked' | 'closed'> {
  return new Promise((resolve) => {
    client.once('close', () => resolve('closed'));
    client.publish(topic, payload, { qos: 1 }, (err) => (err ? resolve('closed') : resolve('acked')));
  });
}

describe('D4.6: service cars and the mail gateway on the embedded broker with AUTH=on', () => {
  let stack: TestStack;
  const clients: MqttClient[] = [];

  beforeEach(async () => {
    stack = await startTestStack({ config: { AUTH: 'on', API_TOKEN: 'admin-service-token-1', ADMIN_PASSWORD: 'admin-password-1', MQTT_MAIL_PASSWORD: MAIL_PASSWORD } });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
    await stack.close();
  });

  async function connect(username: string, password: string, clientId: string) {
    const r = await tryConnect(stack.mqttUrl, { username, password, clientId });
    if ('client' in r) clients.push(r.client);
    return r;
  }
  async function issue(id: string): Promise<ServiceCarCredentialsIssued> {
    const r = await stack.http('PUT', `/v1/service-cars/${id}/credentials`);
    expect(r.status).toBe(201);
    return r.body as ServiceCarCredentialsIssued;
  }

  it('D4.6: credentials are admin-only and audited; a service car publishes its own position (kept), nothing else', async () => {
    expect((await stack.http('PUT', '/v1/service-cars/jaf-7/credentials', undefined, { authorization: 'Bearer nope' })).status).toBe(401);
    const creds = await issue('jaf-7');
    expect(creds).toMatchObject({ id: 'jaf-7', username: 'svc-jaf-7', password: expect.any(String) });
    const audit = (await stack.http('GET', '/v1/audit?limit=5')).body as { entries: { action: string; details: Record<string, unknown> }[] };
    expect(audit.entries[0]).toMatchObject({ action: 'service_car.credentials', details: { serviceCarId: 'jaf-7', rotated: false } });

    expect(await connect('svc-jaf-7', 'wrong', 'service-car-jaf-7')).toEqual({ refused: 5 });
    expect(await connect('svc-jaf-7', creds.password, 'service-car-jaf-8')).toEqual({ refused: 2 }); // another service car's client id
    expect(await connect('svc-jaf-7', creds.password, `car-${vin(4701)}`)).toEqual({ refused: 2 });

    const ok = await connect('svc-jaf-7', creds.password, 'service-car-jaf-7');
    if (!('client' in ok)) throw new Error('refused');
    expect(await publishOutcome(ok.client, topics.serviceCarPosition('jaf-7'), position(35.71))).toBe('acked');
    await expect.poll(async () => (await stack.service.serviceCars.fix('jaf-7'))?.position.lat).toBe(35.71);
    expect(await granted(ok.client, [topics.serviceCarPosition('jaf-7'), 'v1/#'])).toEqual([128, 128]);

    // Another service car's position: the connection is closed, nothing kept.
    expect(await publishOutcome(ok.client, topics.serviceCarPosition('jaf-8'), position(35.72))).toBe('closed');
    expect(await stack.service.serviceCars.fix('jaf-8')).toBeNull();

    // A vehicle's topic: closed too, and no case opens.
    const again = await connect('svc-jaf-7', creds.password, 'service-car-jaf-7-b');
    if (!('client' in again)) throw new Error('refused');
    const v = vin(4702);
    expect(await publishOutcome(again.client, topics.event(v, 'sos'), JSON.stringify(validEvent(v, 'sos')))).toBe('closed');
    expect(((await stack.http('GET', '/v1/cases?status=open')).body as unknown[]).length).toBe(0);
  });

  it('D4.6: rotating a service car\'s credentials ends its session and the old password', async () => {
    const first = await issue('jaf-9');
    const r = await connect('svc-jaf-9', first.password, 'service-car-jaf-9');
    if (!('client' in r)) throw new Error('refused');
    const closed = new Promise<void>((resolve) => r.client.once('close', () => resolve()));
    const second = await issue('jaf-9');
    await closed;
    expect(await connect('svc-jaf-9', first.password, 'service-car-jaf-9')).toEqual({ refused: 5 });
    expect('client' in (await connect('svc-jaf-9', second.password, 'service-car-jaf-9'))).toBe(true);
  });

  it('D4.5: the mail gateway account subscribes to v1/outbox/email only and publishes nothing', async () => {
    expect(await connect('anshin-mail', 'wrong-password', 'mail-gateway-1')).toEqual({ refused: 5 });
    const r = await connect('anshin-mail', MAIL_PASSWORD, 'mail-gateway-1');
    if (!('client' in r)) throw new Error('refused');
    expect(await granted(r.client, [topics.outboxEmail, 'v1/#', topics.deadLetter])).toEqual([1, 128, 128]);
    expect(await publishOutcome(r.client, topics.outboxEmail, JSON.stringify({ v: 1 }))).toBe('closed');
  });
});
