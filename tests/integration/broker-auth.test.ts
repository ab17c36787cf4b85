/**
 * Issue 11, part 1: the embedded broker with AUTH on (CONTRACT "Identity and access"). Real aedes on
 * loopback, the whole stack, MQTT.js clients and simulated cars; vehicle credentials from a small
 * in-memory VehicleCredentials (the identity service plugs in its own).
 */
import type { MqttClient } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { topics, type Case } from '../../protocol/index.js';
import { SystemClock } from '../../lib/clock/index.js';
import { SimulatedCar } from '../../simulator/car/index.js';
import { granted, rawConnack, tryConnect } from '../helpers/mqtt-auth.js';
import { validEvent } from '../helpers/raw-mqtt.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';
import { MemoryVehicleCredentials } from '../helpers/vehicle-credentials.js';
import { vin } from '../helpers/vins.js';

const A = vin(1101);
const B = vin(1102);
const SERVICE = { MQTT_USERNAME: 'anshin-service', MQTT_PASSWORD: 'service-secret-1' };
const TOOL_PASSWORD = 'tool-secret-1';

describe('issue 11: the embedded broker with AUTH on', () => {
  let stack: TestStack;
  let creds: MemoryVehicleCredentials;
  let pw: Record<string, string>;
  const clients: MqttClient[] = [];
  const cars: SimulatedCar[] = [];

  beforeEach(async () => {
    creds = new MemoryVehicleCredentials();
    pw = { [A]: creds.issue(A), [B]: creds.issue(B) };
    stack = await startTestStack({ vehicleCredentials: creds, config: { ...SERVICE, MQTT_TOOL_PASSWORD: TOOL_PASSWORD, MQTT_BROKER_THREAD: 'on' } });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
    await Promise.all(cars.splice(0).map((c) => c.end().catch(() => {})));
    await stack.close();
  });

  /** Connects as a vehicle (username = VIN) with its password unless told otherwise. */
  async function asVehicle(v: string, over: { password?: string; clientId?: string; clean?: boolean; will?: { topic: string; payload: Buffer; qos: 1; retain: boolean } } = {}) {
    const r = await tryConnect(stack.mqttUrl, { username: v, password: over.password ?? pw[v], clientId: over.clientId ?? `car-${v}`, clean: over.clean ?? true, ...(over.will ? { will: over.will } : {}) });
    if ('client' in r) clients.push(r.client);
    return r;
  }
  async function connected(v: string, over: Parameters<typeof asVehicle>[1] = {}): Promise<MqttClient> {
    const r = await asVehicle(v, over);
    if (!('client' in r)) throw new Error(`refused with CONNACK ${r.refused}`);
    return r.client;
  }
  async function car(v: string): Promise<SimulatedCar> {
    const c = new SimulatedCar({ vin: v, url: stack.mqttUrl, clock: new SystemClock(), password: pw[v] });
    cars.push(c);
    await c.connect();
    return c;
  }
  async function casesOf(v: string): Promise<Case[]> {
    return ((await stack.http('GET', '/v1/cases?status=open')).body as Case[]).filter((c) => c.vin === v);
  }

  it('a CONNECT without credentials, with a wrong password or an unknown username is refused with CONNACK 5', async () => {
    expect(await tryConnect(stack.mqttUrl, {})).toEqual({ refused: 5 });
    expect(await asVehicle(A, { password: 'not-the-password' })).toEqual({ refused: 5 });
    expect(await asVehicle(A, { password: pw[B] })).toEqual({ refused: 5 });
    expect(await tryConnect(stack.mqttUrl, { username: 'JT2AE92E3K9999999', password: 'x' })).toEqual({ refused: 5 });
    expect(await tryConnect(stack.mqttUrl, { username: 'someone', password: 'x' })).toEqual({ refused: 5 });
    expect(await tryConnect(stack.mqttUrl, { username: SERVICE.MQTT_USERNAME, password: 'wrong' })).toEqual({ refused: 5 });
    expect((await stack.broker!.readStats()).authRefused).toBe(6);
    expect('client' in (await asVehicle(A))).toBe(true);
  });

  it('wildcards in a username or a client id are refused (CONNACK 5 and 2)', async () => {
    for (const username of ['#', '+', `${A}/#`, 'v1/#']) expect(await tryConnect(stack.mqttUrl, { username, password: 'x' })).toEqual({ refused: 5 });
    for (const clientId of [`car-${A}-#`, `car-${A}-+`, `car-${A}/x`, '#', 'tool+1']) {
      expect(await asVehicle(A, { clientId })).toEqual({ refused: 2 });
      expect(await tryConnect(stack.mqttUrl, { username: 'anshin-tool', password: TOOL_PASSWORD, clientId })).toEqual({ refused: 2 });
    }
  });

  it("car A cannot publish for car B: A's connection is closed and no case is opened for B", async () => {
    const a = await connected(A);
    const forged = validEvent(B, 'airbag');
    a.publish(topics.event(B, 'airbag'), JSON.stringify(forged), { qos: 1 });
    await expect.poll(() => a.connected, { timeout: 5_000 }).toBe(false);
    expect((await stack.broker!.readStats()).forbiddenPublishes).toBe(1);
    // B's own crash afterwards opens B's one case: the forged event never reached ingest.
    const b = await car(B);
    const eventId = await b.airbag();
    await expect.poll(async () => (await casesOf(B)).map((c) => c.eventId), { timeout: 5_000 }).toEqual([eventId]);
  });

  it("car A may publish on its own topics only: telemetry and an event of its own are taken, a command to itself is not", async () => {
    const a = await connected(A);
    await a.publishAsync(topics.telemetry(A), JSON.stringify({ v: 1, vin: A, ts: new Date().toISOString(), position: null }), { qos: 1 });
    const event = validEvent(A, 'sos');
    await a.publishAsync(topics.event(A, 'sos'), JSON.stringify(event), { qos: 1 });
    await expect.poll(async () => (await casesOf(A)).map((c) => c.eventId), { timeout: 5_000 }).toEqual([event.eventId]);
    a.publish(topics.commands(A), JSON.stringify({ v: 1 }), { qos: 1 });
    await expect.poll(() => a.connected, { timeout: 5_000 }).toBe(false);
  });

  it("car A cannot subscribe to B's commands, v1/# or a wildcard over its own topics (SUBACK 0x80); its own are granted and the connection stays", async () => {
    const a = await connected(A);
    expect(await granted(a, [topics.commands(B), 'v1/#', '#', `v1/vehicles/${A}/+`, topics.lockout(B), '$SYS/#'])).toEqual([128, 128, 128, 128, 128, 128]);
    expect(await granted(a, [topics.commands(A), topics.lockout(A), `v1/vehicles/${A}/app-messages`])).toEqual([1, 1, 1]);
    expect(a.connected).toBe(true);
    expect((await stack.broker!.readStats()).refusedSubscriptions).toBe(6);
  });

  it("car A cannot take B's client id, nor can the tool or service account (CONNACK 2); B stays connected", async () => {
    const b = await car(B);
    expect(await asVehicle(A, { clientId: `car-${B}` })).toEqual({ refused: 2 });
    expect(await asVehicle(A, { clientId: B })).toEqual({ refused: 2 });
    expect(await asVehicle(A, { clientId: '' })).toEqual({ refused: 2 }); // server-assigned: not bound to A
    expect(await tryConnect(stack.mqttUrl, { username: 'anshin-tool', password: TOOL_PASSWORD, clientId: `car-${B}` })).toEqual({ refused: 2 });
    expect(await tryConnect(stack.mqttUrl, { username: SERVICE.MQTT_USERNAME, password: SERVICE.MQTT_PASSWORD, clientId: `car-${B}` })).toEqual({ refused: 2 });
    // A's own forms are fine: its VIN, car-<VIN>, with a suffix.
    for (const clientId of [A, `car-${A}`, `car-${A}-diag`]) expect('client' in (await asVehicle(A, { clientId }))).toBe(true);
    // Only now look at B: had any refused CONNECT taken its id, aedes would have closed B's session.
    expect(b.connected).toBe(true);
    expect(b.signals.history().filter((s) => s.kind === 'disconnected')).toEqual([]);
  });

  it('a client id held by the service cannot be taken by the tool account', async () => {
    const service = await tryConnect(stack.mqttUrl, { username: SERVICE.MQTT_USERNAME, password: SERVICE.MQTT_PASSWORD, clientId: 'anshin-instance-2', clean: false });
    expect('client' in service).toBe(true);
    if ('client' in service) clients.push(service.client);
    expect(await tryConnect(stack.mqttUrl, { username: 'anshin-tool', password: TOOL_PASSWORD, clientId: 'anshin-instance-2' })).toEqual({ refused: 2 });
    // Its persistent session stays the service's after it disconnects.
    if ('client' in service) await service.client.endAsync();
    expect(await tryConnect(stack.mqttUrl, { username: 'anshin-tool', password: TOOL_PASSWORD, clientId: 'anshin-instance-2' })).toEqual({ refused: 2 });
  });

  it("a Last Will on another car's topic is refused at CONNECT (CONNACK 5); on its own status it is fine", async () => {
    const will = (topic: string) => ({ topic, payload: Buffer.from('{"online":false}'), qos: 1 as const, retain: true });
    expect(await asVehicle(A, { will: will(topics.status(B)) })).toEqual({ refused: 5 });
    expect('client' in (await asVehicle(A, { will: will(topics.status(A)) }))).toBe(true);
  });

  it('rotating credentials disconnects the old session; the old password is refused, the new one taken', async () => {
    const a = await car(A);
    const verifiesBefore = creds.verifyCalls;
    // A reconnect with the same password is answered from the broker's cache.
    expect('client' in (await asVehicle(A, { clientId: `car-${A}-second` }))).toBe(true);
    expect(creds.verifyCalls).toBe(verifiesBefore);

    const newPassword = creds.issue(A);
    await a.waitFor((s) => s.kind === 'disconnected', 5_000);
    expect((await stack.broker!.readStats()).sessionsRevoked).toBe(2);
    expect(await asVehicle(A, { clientId: `car-${A}-third` })).toEqual({ refused: 5 });
    expect('client' in (await asVehicle(A, { clientId: `car-${A}-third`, password: newPassword }))).toBe(true);
  });

  it('credentials that cannot be checked (store down) get CONNACK 3, so the car tries again later', async () => {
    creds.failing = true;
    expect(await asVehicle(A)).toEqual({ refused: 3 });
    creds.failing = false;
    expect('client' in (await asVehicle(A))).toBe(true);
  });

  it('the tool account reads v1/# (and sees car events) but publishes only its bench/ probes', async () => {
    const tool = await tryConnect(stack.mqttUrl, { username: 'anshin-tool', password: TOOL_PASSWORD });
    if (!('client' in tool)) throw new Error(`refused ${tool.refused}`);
    clients.push(tool.client);
    expect(await granted(tool.client, ['v1/#', 'bench/#', '#', '$SYS/#'])).toEqual([1, 1, 128, 128]);
    const seen: string[] = [];
    tool.client.on('message', (topic) => seen.push(topic));
    const a = await car(A);
    await a.pressSos();
    await expect.poll(() => seen.includes(topics.event(A, 'sos')), { timeout: 5_000 }).toBe(true);
    await tool.client.publishAsync('bench/floor/x/m', 'probe', { qos: 1 });
    tool.client.publish(topics.event(A, 'airbag'), JSON.stringify(validEvent(A)), { qos: 1 });
    await expect.poll(() => tool.client.connected, { timeout: 5_000 }).toBe(false);
  });

  it('the service account subscribes to the car topics and publishes commands, but never as a car', async () => {
    const svc = await tryConnect(stack.mqttUrl, { username: SERVICE.MQTT_USERNAME, password: SERVICE.MQTT_PASSWORD });
    if (!('client' in svc)) throw new Error(`refused ${svc.refused}`);
    clients.push(svc.client);
    expect(await granted(svc.client, ['v1/vehicles/+/events/+', 'v1/vehicles/+/telemetry', '#'])).toEqual([1, 1, 128]);
    const a = await car(A);
    await svc.client.publishAsync(topics.commands(A), JSON.stringify({ v: 1, commandId: 'c-1', ts: new Date().toISOString(), cmd: 'notice', code: 'x' }), { qos: 1 });
    await a.waitFor((s) => s.kind === 'command' || s.kind === 'rejected', 5_000);
    svc.client.publish(topics.event(A, 'airbag'), JSON.stringify(validEvent(A)), { qos: 1 });
    await expect.poll(() => svc.client.connected, { timeout: 5_000 }).toBe(false);
  });

  it('MQTT-3.1.3-8: an empty client id with CleanSession=0 gets CONNACK 2', async () => {
    expect(await rawConnack(stack.broker!.port, { clientId: '', clean: false })).toBe(2);
  });
});

describe('issue 11: conformance fixes, whatever AUTH says', () => {
  let stack: TestStack;
  afterEach(async () => stack?.close());

  it('MQTT-3.1.3-8: an empty client id with CleanSession=0 gets CONNACK 2 (with CleanSession=1 it is accepted)', async () => {
    stack = await startTestStack({ config: { MQTT_BROKER_THREAD: 'on' } });
    expect(await rawConnack(stack.broker!.port, { clientId: '', clean: false })).toBe(2);
    expect(await rawConnack(stack.broker!.port, { clientId: '', clean: true })).toBe(0);
  });

  it('a SUBSCRIBE deeper than the topic-level limit gets 0x80 for that filter and the connection stays', async () => {
    stack = await startTestStack({ config: { MQTT_BROKER_THREAD: 'on' } });
    const r = await tryConnect(stack.mqttUrl);
    if (!('client' in r)) throw new Error('refused');
    const deep = Array.from({ length: 9 }, (_, i) => `l${i}`).join('/');
    const deeper = Array.from({ length: 150 }, () => 'x').join('/'); // past aedes' own hard ceiling (100)
    expect(await granted(r.client, [deep, 'v1/vehicles/+/status', deeper, `${deep}/#`])).toEqual([128, 1, 128, 128]);
    await r.client.unsubscribeAsync([deep, 'v1/vehicles/+/status']);
    expect(await granted(r.client, ['v1/dead-letter'])).toEqual([1]);
    expect(r.client.connected).toBe(true);
    await r.client.endAsync();
  });

  it('nobody publishes on $SYS (aedes’ own rule, kept): the publisher is disconnected', async () => {
    stack = await startTestStack({ config: { MQTT_BROKER_THREAD: 'on' } });
    const r = await tryConnect(stack.mqttUrl);
    if (!('client' in r)) throw new Error('refused');
    r.client.publish('$SYS/anshin-broker/new/clients', 'car-x', { qos: 1 });
    await expect.poll(() => r.client.connected, { timeout: 5_000 }).toBe(false);
    await r.client.endAsync(true);
  });
});
