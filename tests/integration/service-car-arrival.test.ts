/**
 * Issue 12 part 6, contract "Service-car arrival" (D4.6), over real parts: the embedded aedes broker, a
 * simulated service car (simulator/service-car) and MQTT.js clients, the HTTP API, on a virtual clock.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ServiceCarDispatchedMessage, topics, validator, type Case, type DeadLetter, type Dispatch, type TrackView } from '../../protocol/index.js';
import { VirtualClock } from '../../lib/clock/index.js';
import { SimulatedServiceCar, type ServiceCarReport } from '../../simulator/service-car/index.js';
import { RawMqttClient, validEvent } from '../helpers/raw-mqtt.js';
import { testRedis, uniquePrefix, type TestRedis } from '../helpers/redis.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';
import { vin } from '../helpers/vins.js';

const SCENE = { lat: 35.6812, lon: 139.7671 }; // validEvent's position (Tokyo Station)
const DEPOT = { lat: 35.7101, lon: 139.8107 }; // about 5 km north-east
const checkAppMessage = validator(ServiceCarDispatchedMessage);
type CaseMessage = { type: string; case: Case };

describe('service-car arrival (D4.6)', () => {
  let stack: TestStack;
  let clock: VirtualClock;
  const clients: RawMqttClient[] = [];

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.end()));
    await stack?.close();
  });

  /** A stack, a car with a trouble case (D1.4), and a watcher of the car's app messages and the operator-actions topic. */
  async function troubleCase(n: number) {
    clock = new VirtualClock(Date.now());
    stack = await startTestStack({ clock, config: { PUBLIC_BASE_URL: 'https://anshin.example.jp/' } });
    const feed = await stack.feed();
    const v = vin(n);
    const car = await RawMqttClient.connect(stack.mqttUrl);
    const watcher = await RawMqttClient.connect(stack.mqttUrl);
    clients.push(car, watcher);
    await watcher.subscribe([topics.appMessages(v), topics.operatorAudit, topics.deadLetter]);
    const e = validEvent(v, 'trouble');
    await car.publish(topics.event(v, 'trouble'), JSON.stringify(e));
    const c = (await feed.next<CaseMessage>((m) => m.type === 'case.opened' && (m as CaseMessage).case.eventId === e.eventId)).case;
    expect((await stack.http('POST', `/v1/cases/${c.id}/answer`)).status).toBe(200);
    return { v, c, car, watcher };
  }

  /** Waits for the operator-actions line of an audited action: it leaves through the outbox after what was committed before it. */
  const auditLine = (watcher: RawMqttClient, action: string, also = '') =>
    watcher.next((m) => m.topic === topics.operatorAudit && m.payload.toString().includes(`"action":"${action}"`) && m.payload.toString().includes(also));
  const appMessages = (watcher: RawMqttClient, v: string) => watcher.received.filter((m) => m.topic === topics.appMessages(v));

  it('D4.6: a road_service dispatch with a reporting service car sends the app one message; the link tracks the car, its ETA falls, and ends when the dispatch completes', async () => {
    const { v, c, watcher } = await troubleCase(4601);
    const created = await stack.http('POST', `/v1/cases/${c.id}/dispatches`, { agency: 'road_service', serviceCar: { id: 'jaf-7', reportsPosition: true } });
    expect(created.status).toBe(201);
    const d = created.body as Dispatch;
    expect(d.trackToken).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const msg = await watcher.next((m) => m.topic === topics.appMessages(v));
    const body = JSON.parse(msg.payload.toString()) as unknown;
    expect(checkAppMessage.check(body)).toBe(true);
    expect(body).toEqual({ v: 1, kind: 'service_car_dispatched', caseId: c.id, dispatchId: d.id, trackUrl: `https://anshin.example.jp/track/${d.trackToken}` });
    expect(msg.retain).toBe(false);

    // Before the service car reports: no position, no ETA; the destination is the scene.
    const before = await stack.http('GET', `/v1/track/${d.trackToken}`);
    expect(before).toMatchObject({ status: 200, body: { serviceCar: null, destination: SCENE, etaMinutes: null, status: 'requested' } });
    expect(before.headers.get('referrer-policy')).toBe('no-referrer');

    // The service car drives from its depot at 40 km/h and reports every 60 s of virtual time.
    const sc = new SimulatedServiceCar({ id: 'jaf-7', url: stack.mqttUrl, clock, from: DEPOT, to: SCENE, speedKmh: 40, everyMs: 60_000 });
    await sc.connect();
    const reports: ServiceCarReport[] = [];
    let arrived = false;
    void sc.drive((r) => reports.push(r)).then(() => (arrived = true));
    const etas: number[] = [];
    for (let i = 0; i < 30 && !arrived; i++) {
      const last = reports.at(-1)!;
      await expect.poll(async () => ((await stack.http('GET', `/v1/track/${d.trackToken}`)).body as TrackView).serviceCar?.at).toBe(last.message.ts);
      const view = (await stack.http('GET', `/v1/track/${d.trackToken}`)).body as TrackView;
      expect(view.serviceCar!.position).toEqual(last.message.position);
      etas.push(view.etaMinutes!);
      await clock.advance(60_000);
    }
    await sc.end();
    expect(etas.length).toBeGreaterThan(4);
    expect(etas[0]).toBeGreaterThanOrEqual(7); // ~5 km at 40 km/h
    for (let i = 1; i < etas.length; i++) expect(etas[i]).toBeLessThan(etas[i - 1]!);
    await expect.poll(async () => ((await stack.http('GET', `/v1/track/${d.trackToken}`)).body as TrackView).etaMinutes).toBe(0);

    // The owner's page is served, in Japanese, with nothing from elsewhere.
    const page = await fetch(`${stack.httpUrl}/track/${d.trackToken}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(await page.text()).toContain('ロードサービス');

    // Completed: the link ends (410 track_ended); an unknown token is 404.
    expect((await stack.http('PATCH', `/v1/cases/${c.id}/dispatches/${d.id}`, { status: 'completed' })).status).toBe(200);
    expect(await stack.http('GET', `/v1/track/${d.trackToken}`)).toMatchObject({ status: 410, body: { error: 'track_ended', status: 'completed' } });
    expect(await stack.http('GET', `/v1/track/${'x'.repeat(43)}`)).toMatchObject({ status: 404, body: { error: 'track_not_found' } });
    expect((await stack.http('GET', '/v1/track/short')).status).toBe(400);

    // Once: the PATCHes' audit lines came after, through the same outbox; still one app message.
    await auditLine(watcher, 'dispatch_update', '"status":"completed"');
    expect(appMessages(watcher, v)).toHaveLength(1);
  });

  it('D4.6: a cancelled dispatch ends the link too (410)', async () => {
    const { c } = await troubleCase(4602);
    const d = (await stack.http('POST', `/v1/cases/${c.id}/dispatches`, { agency: 'road_service', serviceCar: { id: 'jaf-8', reportsPosition: true } })).body as Dispatch;
    expect((await stack.http('GET', `/v1/track/${d.trackToken}`)).status).toBe(200);
    expect((await stack.http('PATCH', `/v1/cases/${c.id}/dispatches/${d.id}`, { status: 'cancelled' })).status).toBe(200);
    expect(await stack.http('GET', `/v1/track/${d.trackToken}`)).toMatchObject({ status: 410, body: { error: 'track_ended', status: 'cancelled' } });
  });

  it('D4.6: a service car that does not report its position sends no message and gets no link; nor does another agency with a reporting car', async () => {
    const { v, c, watcher } = await troubleCase(4603);
    const quiet = (await stack.http('POST', `/v1/cases/${c.id}/dispatches`, { agency: 'road_service', serviceCar: { id: 'jaf-9', reportsPosition: false } })).body as Dispatch;
    expect(quiet.trackToken).toBeUndefined();
    const other = (await stack.http('POST', `/v1/cases/${c.id}/dispatches`, { agency: 'dealer_transport', serviceCar: { id: 'jaf-10', reportsPosition: true } })).body as Dispatch;
    expect(other.trackToken).toBeUndefined();
    await auditLine(watcher, 'dispatch', '"agency":"dealer_transport"');
    expect(appMessages(watcher, v)).toHaveLength(0);
  });

  it('D4.6: bad service-car positions are dead-lettered with a reason; a good one is kept', async () => {
    const { watcher, car } = await troubleCase(4604);
    const topic = topics.serviceCarPosition('jaf-11');
    const letter = async (payload: string) => {
      const before = watcher.received.length;
      await car.publish(topic, payload);
      const m = await watcher.next((x) => x.topic === topics.deadLetter && watcher.received.indexOf(x) >= before);
      return JSON.parse(m.payload.toString()) as DeadLetter;
    };
    expect(await letter('{not json')).toMatchObject({ topic, reason: 'malformed_json' });
    expect(await letter(JSON.stringify({ v: 1, ts: new Date(clock.now()).toISOString() }))).toMatchObject({ topic, reason: 'schema_invalid' });
    expect(await letter(JSON.stringify({ v: 1, ts: new Date(clock.now()).toISOString(), position: { lat: 95, lon: 139, trusted: true } }))).toMatchObject({ topic, reason: 'position_out_of_range' });
    expect(await letter(JSON.stringify({ v: 2, ts: new Date(clock.now()).toISOString(), position: { lat: 35, lon: 139, trusted: true } }))).toMatchObject({ topic, reason: 'unsupported_version' });
    await car.publish(topic, JSON.stringify({ v: 1, ts: new Date(clock.now()).toISOString(), position: { lat: 35.7, lon: 139.8, trusted: true } }));
    expect(await stack.service.serviceCars.fix('jaf-11')).toMatchObject({ id: 'jaf-11', position: { lat: 35.7, lon: 139.8 } });
  });
});

describe('D4.6 with Redis: two instances share the token index and the service cars\' positions', () => {
  let redis: TestRedis;
  const stacks: TestStack[] = [];
  const clients: RawMqttClient[] = [];
  beforeAll(async () => {
    redis = await testRedis();
  });
  afterAll(async () => redis?.close());
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.end()));
    for (const s of stacks.splice(0)) await s.close();
  });

  it('D4.6: a link issued on one instance answers on the other, with the position another instance received', async () => {
    const clock = new VirtualClock(Date.now());
    const config = { REDIS_URL: redis.url, REDIS_KEY_PREFIX: uniquePrefix('track'), POSITION_FLUSH_MS: 50 };
    stacks.push(await startTestStack({ clock, config }), await startTestStack({ clock, config }));
    const [a, b] = stacks as [TestStack, TestStack];
    const feed = await a.feed();
    const car = await RawMqttClient.connect(a.mqttUrl);
    const serviceCar = await RawMqttClient.connect(b.mqttUrl);
    clients.push(car, serviceCar);
    const v = vin(4611);
    const e = validEvent(v, 'trouble');
    await car.publish(topics.event(v, 'trouble'), JSON.stringify(e));
    const c = (await feed.next<CaseMessage>((m) => m.type === 'case.opened' && (m as CaseMessage).case.eventId === e.eventId)).case;
    const d = (await a.http('POST', `/v1/cases/${c.id}/dispatches`, { agency: 'road_service', serviceCar: { id: 'jaf-21', reportsPosition: true } })).body as Dispatch;
    expect(await b.http('GET', `/v1/track/${d.trackToken}`)).toMatchObject({ status: 200, body: { serviceCar: null, destination: SCENE } });

    // Instance B takes the report; A answers the link once B's batch is in the store.
    await serviceCar.publish(topics.serviceCarPosition('jaf-21'), JSON.stringify({ v: 1, ts: new Date(clock.now()).toISOString(), position: { lat: SCENE.lat + 0.018, lon: SCENE.lon, trusted: true } }));
    await clock.advance(50);
    await expect.poll(async () => ((await a.http('GET', `/v1/track/${d.trackToken}`)).body as TrackView).etaMinutes).toBe(3); // 2 km at 40 km/h
  });
});
