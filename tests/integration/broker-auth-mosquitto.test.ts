/**
 * Issue 11, part 3: the real Mosquitto with infra/'s password file (written by
 * infra/mqtt-credentials.mjs, run as a command) and infra/mosquitto-acl.conf gives the same ACL as the
 * embedded broker: a car is refused on another car's topic; the service connects with its own
 * credentials (MQTT_USERNAME / MQTT_PASSWORD) and still opens cases. D4.6 / D4.5: a service car
 * (`svc-<id>`, its rule written into a copy of the ACL file by `--mosquitto-acl`) publishes its own
 * position and not another's; the mail account (`anshin-mail`) reads the email outbox and nothing else.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { topics, type Case } from '../../protocol/index.js';
import { SystemClock } from '../../lib/clock/index.js';
import { projectPath } from '../../lib/paths.js';
import { startMosquitto, type Mosquitto } from '../../lib/process/mosquitto.js';
import { SimulatedCar } from '../../simulator/car/index.js';
import { granted, tryConnect } from '../helpers/mqtt-auth.js';
import { validEvent } from '../helpers/raw-mqtt.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';
import { vin } from '../helpers/vins.js';

const run = promisify(execFile);
const A = vin(1201);
const B = vin(1202);

/** Runs the provisioning command as an operator would; returns the password it printed. */
async function provision(username: string, passwordFile: string, ...more: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [projectPath('infra', 'mqtt-credentials.mjs'), username, '--mosquitto-passwd', passwordFile, ...more]);
  return (JSON.parse(stdout) as { password: string }).password;
}

describe('issue 11: Mosquitto with the infra/ password file and ACL', () => {
  let dir: string;
  let passwordFile: string;
  /** The installed copy of infra/mosquitto-acl.conf, with the service cars' blocks added by the command. */
  let aclFile: string;
  let mosquitto: Mosquitto;
  const pw: Record<string, string> = {};
  const clients: MqttClient[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'anshin-mosq-auth-'));
    passwordFile = join(dir, 'anshin.passwd');
    aclFile = join(dir, 'anshin-acl.conf');
    await copyFile(projectPath('infra', 'mosquitto-acl.conf'), aclFile);
    for (const user of [A, B, 'anshin-service', 'anshin-tool', 'anshin-mail']) pw[user] = await provision(user, passwordFile);
    for (const user of ['svc-jaf-7', 'svc-jaf-8']) pw[user] = await provision(user, passwordFile, '--mosquitto-acl', aclFile);
    mosquitto = await startMosquitto({ auth: { passwordFile, aclFile } });
  });
  afterAll(async () => {
    await mosquitto?.close();
    await rm(dir, { recursive: true, force: true });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
  });

  async function as(username: string, clientId: string, password = pw[username]): Promise<MqttClient> {
    const r = await tryConnect(mosquitto.url, { username, password, clientId });
    if (!('client' in r)) throw new Error(`${username} refused with CONNACK ${r.refused}`);
    clients.push(r.client);
    return r.client;
  }

  it('refuses a CONNECT without credentials or with a wrong password', async () => {
    const anonymous = await tryConnect(mosquitto.url, { clientId: 'nobody' });
    const wrong = await tryConnect(mosquitto.url, { username: A, password: 'wrong', clientId: `car-${A}` });
    // Mosquitto 2 answers 5 (not authorised) to both over MQTT 3.1.1.
    expect(anonymous).toEqual({ refused: 5 });
    expect(wrong).toEqual({ refused: 5 });
  });

  it("car A is refused on car B's topics: its publish for B reaches nobody, B's commands never reach it", async () => {
    const service = await as('anshin-service', 'anshin-acl-test');
    expect(await granted(service, ['v1/vehicles/+/events/+'])).toEqual([1]);
    const seen: string[] = [];
    service.on('message', (_t, payload) => seen.push((JSON.parse(payload.toString()) as { eventId: string }).eventId));

    const a = await as(A, `car-${A}`);
    const received: string[] = [];
    a.on('message', (topic) => received.push(topic));
    // Mosquitto's acl_file grants any SUBSCRIBE and checks `read` on every delivery (the dynamic
    // security plugin would answer 0x80 instead): A subscribes, and gets nothing of B's.
    await granted(a, [topics.commands(B), 'v1/#', topics.commands(A)]);
    await service.publishAsync(topics.commands(B), JSON.stringify({ v: 1, to: 'B' }), { qos: 1 });
    await service.publishAsync(topics.commands(A), JSON.stringify({ v: 1, to: 'A' }), { qos: 1 });
    await expect.poll(() => received, { timeout: 5_000 }).toContain(topics.commands(A));
    expect(received).toEqual([topics.commands(A)]);

    const forged = validEvent(B, 'airbag');
    const own = validEvent(A, 'airbag');
    await a.publishAsync(topics.event(B, 'airbag'), JSON.stringify(forged), { qos: 1 });
    await a.publishAsync(topics.event(A, 'airbag'), JSON.stringify(own), { qos: 1 });
    // Same publisher, same subscriber: had the forged one been routed it would have come first.
    await expect.poll(() => seen, { timeout: 5_000 }).toContain(own.eventId);
    expect(seen).toEqual([own.eventId]);
  });

  it('the tool account reads v1/# but cannot publish a car event; the service cannot publish as a car', async () => {
    const tool = await as('anshin-tool', 'anshin-tool-acl-test');
    expect(await granted(tool, ['v1/#'])).toEqual([1]);
    const seen: string[] = [];
    tool.on('message', (topic) => seen.push(topic));
    const service = await as('anshin-service', 'anshin-acl-test-2');
    await tool.publishAsync(topics.event(A, 'sos'), JSON.stringify(validEvent(A, 'sos')), { qos: 1 });
    await service.publishAsync(topics.event(A, 'impact'), JSON.stringify(validEvent(A, 'impact')), { qos: 1 });
    await service.publishAsync(topics.commands(A), JSON.stringify({ v: 1 }), { qos: 1 });
    await expect.poll(() => seen, { timeout: 5_000 }).toContain(topics.commands(A));
    expect(seen).toEqual([topics.commands(A)]);
  });

  it('D4.6: a service car publishes its own position, and its publish on another service car\'s topic reaches nobody', async () => {
    const service = await as('anshin-service', 'anshin-acl-test-svc');
    expect(await granted(service, ['v1/service-cars/+/position'])).toEqual([1]);
    const seen: string[] = [];
    service.on('message', (topic, payload) => seen.push(`${topic} ${(JSON.parse(payload.toString()) as { position: { lat: number } }).position.lat}`));
    const jaf7 = await as('svc-jaf-7', 'service-car-jaf-7');
    const position = (lat: number) => JSON.stringify({ v: 1, ts: new Date().toISOString(), position: { lat, lon: 139.8, trusted: true } });
    await jaf7.publishAsync(topics.serviceCarPosition('jaf-8'), position(35.1), { qos: 1 });
    await jaf7.publishAsync(topics.event(A, 'sos'), JSON.stringify(validEvent(A, 'sos')), { qos: 1 });
    await jaf7.publishAsync(topics.serviceCarPosition('jaf-7'), position(35.2), { qos: 1 });
    // Same publisher, same subscriber: had a forged one been routed it would have come first.
    await expect.poll(() => seen, { timeout: 5_000 }).toContain(`${topics.serviceCarPosition('jaf-7')} 35.2`);
    expect(seen).toEqual([`${topics.serviceCarPosition('jaf-7')} 35.2`]);
    // jaf-8's own rule is its own.
    const jaf8 = await as('svc-jaf-8', 'service-car-jaf-8');
    await jaf8.publishAsync(topics.serviceCarPosition('jaf-8'), position(35.3), { qos: 1 });
    await expect.poll(() => seen, { timeout: 5_000 }).toContain(`${topics.serviceCarPosition('jaf-8')} 35.3`);
  });

  it('D4.5: the mail account reads v1/outbox/email and nothing else, and publishes nothing', async () => {
    const mail = await as('anshin-mail', 'anshin-mail-gateway-acl-test');
    const received: string[] = [];
    mail.on('message', (topic) => received.push(topic));
    await granted(mail, [topics.outboxEmail, 'v1/#']);
    const service = await as('anshin-service', 'anshin-acl-test-mail');
    const outbox: string[] = [];
    service.on('message', (topic, payload) => outbox.push(payload.toString()));
    expect(await granted(service, [topics.outboxEmail])).toEqual([1]);
    await mail.publishAsync(topics.outboxEmail, JSON.stringify({ v: 1, from: 'mail' }), { qos: 1 });
    await service.publishAsync(topics.deadLetter, JSON.stringify({ v: 1 }), { qos: 1 });
    await service.publishAsync(topics.commands(A), JSON.stringify({ v: 1 }), { qos: 1 });
    await service.publishAsync(topics.outboxEmail, JSON.stringify({ v: 1, from: 'service' }), { qos: 1 });
    await expect.poll(() => received, { timeout: 5_000 }).toContain(topics.outboxEmail);
    // (Mosquitto may grant the v1/# subscription and check `read` per delivery: one copy per matching subscription.)
    expect(new Set(received)).toEqual(new Set([topics.outboxEmail]));
    await expect.poll(() => outbox, { timeout: 5_000 }).toContain(JSON.stringify({ v: 1, from: 'service' }));
    expect(outbox).toEqual([JSON.stringify({ v: 1, from: 'service' })]);
  });

  it("a rotated password (file rewritten, Mosquitto reloaded) ends the car's session; the new one is taken", async () => {
    const a = await as(A, `car-${A}-rotate`);
    const newPassword = await provision(A, passwordFile);
    mosquitto.reload();
    await expect.poll(() => a.connected, { timeout: 5_000 }).toBe(false);
    expect(await tryConnect(mosquitto.url, { username: A, password: pw[A], clientId: `car-${A}-rotate` })).toEqual({ refused: 5 });
    pw[A] = newPassword;
    await as(A, `car-${A}-rotate`);
  });

  describe('the service on Mosquitto with its own credentials', () => {
    let stack: TestStack;
    const cars: SimulatedCar[] = [];
    afterEach(async () => {
      await Promise.all(cars.splice(0).map((c) => c.end().catch(() => {})));
      await stack?.close();
    });

    it("opens a car's case, and not one for an event another car forged", async () => {
      stack = await startTestStack({ config: { MQTT_URL: mosquitto.url, MQTT_USERNAME: 'anshin-service', MQTT_PASSWORD: pw['anshin-service'] } });
      const a = await as(A, `car-${A}-forger`);
      const forged = validEvent(B, 'airbag');
      await a.publishAsync(topics.event(B, 'airbag'), JSON.stringify(forged), { qos: 1 });
      const b = new SimulatedCar({ vin: B, url: mosquitto.url, clock: new SystemClock(), password: pw[B] });
      cars.push(b);
      await b.connect();
      const eventId = await b.airbag();
      const casesOfB = async () => ((await stack.http('GET', '/v1/cases?status=open')).body as Case[]).filter((c) => c.vin === B).map((c) => c.eventId);
      await expect.poll(casesOfB, { timeout: 10_000 }).toEqual([eventId]);
      expect(forged.eventId).not.toBe(eventId);
    });

    it('a wrong MQTT_PASSWORD stops start-up with a message naming it', async () => {
      await expect(startTestStack({ config: { MQTT_URL: mosquitto.url, MQTT_USERNAME: 'anshin-service', MQTT_PASSWORD: 'wrong-password' } })).rejects.toThrow(/MQTT_USERNAME \/ MQTT_PASSWORD/);
    });
  });
});
