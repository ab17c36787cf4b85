/**
 * Issue 12, "The operator's work", over real parts: MQTT.js clients on the embedded aedes broker, the
 * HTTP API and the operator feed WebSocket; with Redis, two instances sharing one store.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isoTime, topics, type Case, type KnownPosition, type Position, type Telemetry, type VoiceSession } from '../../protocol/index.js';
import { RawMqttClient, validEvent } from '../helpers/raw-mqtt.js';
import { testRedis, uniquePrefix, type TestRedis } from '../helpers/redis.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';
import { vin } from '../helpers/vins.js';

type CaseMessage = { type: 'case.opened' | 'case.updated'; case: Case };

/** A point `north` metres north of the Tomei near Ebina. */
const along = (north: number, trusted = true): Position => ({ lat: 35.44 + north / 111_195, lon: 139.39, headingDeg: 0, trusted });
const known = (p: Position, at: string): KnownPosition => ({ lat: p.lat, lon: p.lon, at, trusted: p.trusted, headingDeg: 0 });

function telemetry(v: string, position: Position | null, at: string): string {
  const t: Telemetry = { v: 1, vin: v, ts: at, position, speedKmh: position ? 80 : 0 };
  return JSON.stringify(t);
}

describe('issue 12 over MQTT, HTTP and the feed', () => {
  let stack: TestStack;
  let car: RawMqttClient;

  afterEach(async () => {
    await car?.end();
    await stack?.close();
  });

  it('D2.7 D2.1 D4.3: an SOS from a tunnel without a fix shows the fix from a minute before; an airbag with crash data carries its severity', async () => {
    stack = await startTestStack();
    const feed = await stack.feed();
    car = await RawMqttClient.connect(stack.mqttUrl);
    const [tunnelCar, crashCar] = [vin(1201), vin(1202)];
    const now = Date.now();
    const minuteAgo = isoTime(now - 60_000);
    // QoS 1 so that the PUBACK says the service has taken each sample (embedded broker: ingest before PUBACK)
    await car.publish(topics.telemetry(tunnelCar), telemetry(tunnelCar, along(0), minuteAgo));
    await car.publish(topics.telemetry(tunnelCar), telemetry(tunnelCar, null, isoTime(now - 30_000))); // in the tunnel: no fix
    const sos = validEvent(tunnelCar, 'sos', { position: null, ts: isoTime(now) });
    await car.publish(topics.event(tunnelCar, 'sos'), JSON.stringify(sos));

    const opened = await feed.next<CaseMessage>((m) => m.type === 'case.opened' && m.case.eventId === sos.eventId);
    expect(opened.case).toMatchObject({ trigger: 'sos', position: null, lastKnownPosition: known(along(0), minuteAgo), track: [] });
    expect(opened.case.severity).toBeUndefined();

    await car.publish(topics.telemetry(crashCar), telemetry(crashCar, along(0), isoTime(now - 2_000)));
    await car.publish(topics.telemetry(crashCar), telemetry(crashCar, along(60), isoTime(now - 1_000)));
    const crash = validEvent(crashCar, 'airbag', {
      ts: isoTime(now),
      position: along(80),
      occupants: 2,
      data: { deployed: ['side_right', 'curtain_right'], deltaVKmh: 40, direction: 'right', multipleImpacts: false, seatbelts: { driver: true, passenger: true } },
    });
    await car.publish(topics.event(crashCar, 'airbag'), JSON.stringify(crash));
    const crashed = await feed.next<CaseMessage>((m) => m.type === 'case.opened' && m.case.eventId === crash.eventId);
    // right-hand drive: a right impact is the driver's near side
    expect(crashed.case.severity).toMatchObject({ band: 'high', recommend: ['doctor_heli'], model: 'anshin-mais3@1', inputs: { seats: [{ seat: 'driver', side: 'near', belted: true }, { seat: 'passenger', side: 'far' }] } });
    expect(crashed.case.lastKnownPosition).toEqual({ ...known(along(80), crash.ts as string) });
    expect(crashed.case.track).toEqual([known(along(0), isoTime(now - 2_000))]); // 60 m is 20 m from the event's fix: noise
    // the API shows the same, and orders the queue by it
    const { body } = await stack.http('GET', `/v1/cases/${crashed.case.id}`);
    expect(body.severity).toEqual(crashed.case.severity);
    const queue = (await stack.http('GET', '/v1/cases?status=open')).body as Case[];
    expect(queue.map((c) => c.id)).toEqual([crashed.case.id, opened.case.id]);
  });

  it('one call at a time: a second trigger during the live call joins its case: case.updated on the feed, one open case, the call operator-only', async () => {
    stack = await startTestStack();
    const feed = await stack.feed();
    car = await RawMqttClient.connect(stack.mqttUrl);
    const v = vin(1203);
    const sos = validEvent(v, 'sos');
    await car.publish(topics.event(v, 'sos'), JSON.stringify(sos));
    const opened = await feed.next<CaseMessage>((m) => m.type === 'case.opened' && m.case.eventId === sos.eventId);
    expect((await stack.http('POST', `/v1/cases/${opened.case.id}/answer`, {})).status).toBe(200);

    const crash = validEvent(v, 'airbag', { data: { deployed: ['driver_front'], deltaVKmh: 35, direction: 'front', seatbelts: { driver: false } } });
    await car.publish(topics.event(v, 'airbag'), JSON.stringify(crash));
    const joined = await feed.next<CaseMessage>((m) => m.type === 'case.updated' && m.case.id === opened.case.id && (m.case.triggers?.length ?? 0) === 2);
    expect(joined.case).toMatchObject({ trigger: 'sos', priority: 1, eventId: sos.eventId, triggers: [{ type: 'sos', eventId: sos.eventId }, { type: 'airbag', eventId: crash.eventId }] });
    expect(joined.case.severity?.inputs.seats[0]).toMatchObject({ seat: 'driver', belted: false });
    expect(feed.messages.filter((m) => m.type === 'case.opened' && m.case.vin === v)).toHaveLength(1);

    const open = ((await stack.http('GET', '/v1/cases?status=open')).body as Case[]).filter((c) => c.vin === v);
    expect(open.map((c) => c.id)).toEqual([opened.case.id]);
    const session = (await stack.http('GET', `/v1/sessions/${opened.case.sessionId}`)).body as VoiceSession;
    expect(session).toMatchObject({ state: 'connected', hangupPolicy: 'operator_only' });
    // a redelivery of the joined event is a duplicate: still one case, two triggers
    await car.publish(topics.event(v, 'airbag'), JSON.stringify(crash));
    await expect.poll(async () => ((await stack.http('GET', `/v1/cases/${opened.case.id}`)).body as Case).triggers).toHaveLength(2);
  });

  it('D2.1: while the case is open it follows the car (POSITION_CASE_UPDATE_SECONDS=0): a move of 50 m or more is a case.updated', async () => {
    stack = await startTestStack({ config: { POSITION_CASE_UPDATE_SECONDS: 0 } });
    const feed = await stack.feed();
    car = await RawMqttClient.connect(stack.mqttUrl);
    const v = vin(1204);
    const now = Date.now();
    const sos = validEvent(v, 'sos', { position: along(0), ts: isoTime(now) });
    await car.publish(topics.event(v, 'sos'), JSON.stringify(sos));
    const opened = await feed.next<CaseMessage>((m) => m.type === 'case.opened' && m.case.eventId === sos.eventId);
    await car.publish(topics.telemetry(v), telemetry(v, along(10), isoTime(now + 1_000))); // noise
    await car.publish(topics.telemetry(v), telemetry(v, along(120), isoTime(now + 2_000)));
    const moved = await feed.next<CaseMessage>((m) => m.type === 'case.updated' && m.case.id === opened.case.id);
    // the track keeps the newest fix of a cluster closer than 50 m (10 m at +1 s, not 0 m at the event)
    expect(moved.case).toMatchObject({ position: along(0), lastKnownPosition: known(along(120), isoTime(now + 2_000)), track: [known(along(10), isoTime(now + 1_000))] });
    expect(feed.messages.filter((m) => m.type === 'case.updated')).toHaveLength(1);
  });
});

describe('issue 12 with Redis: positions shared by the instances', () => {
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

  it('D2.1: telemetry taken by instance A, the event by instance B: B\'s case shows A\'s fix (saved in batches, POSITION_FLUSH_MS)', async () => {
    const config = { REDIS_URL: redis.url, REDIS_KEY_PREFIX: uniquePrefix('positions'), POSITION_FLUSH_MS: 100 };
    stacks.push(await startTestStack({ config }), await startTestStack({ config }));
    const [a, b] = stacks as [TestStack, TestStack];
    const [toA, toB] = await Promise.all([RawMqttClient.connect(a.mqttUrl), RawMqttClient.connect(b.mqttUrl)]);
    clients.push(toA, toB);
    const v = vin(1205);
    const now = Date.now();
    await toA.publish(topics.telemetry(v), telemetry(v, along(0), isoTime(now - 20_000)));
    await toA.publish(topics.telemetry(v), telemetry(v, along(200), isoTime(now - 10_000)));
    // no store write per sample: A saves its batch within POSITION_FLUSH_MS
    await expect.poll(() => b.store.loadPositions(v)).toMatchObject({ last: known(along(200), isoTime(now - 10_000)) });

    const feed = await b.feed();
    const sos = validEvent(v, 'sos', { position: null, ts: isoTime(now) });
    await toB.publish(topics.event(v, 'sos'), JSON.stringify(sos));
    const opened = await feed.next<CaseMessage>((m) => m.type === 'case.opened' && m.case.eventId === sos.eventId);
    expect(opened.case).toMatchObject({ position: null, lastKnownPosition: known(along(200), isoTime(now - 10_000)), track: [known(along(0), isoTime(now - 20_000))] });
  });
});
