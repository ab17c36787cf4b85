/**
 * Issue 12 parts 4 and 7, issue 13 part 4, over real parts: MQTT.js clients on the embedded aedes broker,
 * the HTTP API and the operator feed WebSocket, on a virtual clock (answer times to the second); with
 * Redis, two instances sharing one store.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { topics, type AuditEntry, type Case, type Dispatch, type EventType } from '../../protocol/index.js';
import { VirtualClock } from '../../lib/clock/index.js';
import type { FeedClient } from '../helpers/feed-client.js';
import { RawMqttClient, validEvent } from '../helpers/raw-mqtt.js';
import { testRedis, uniquePrefix, type TestRedis } from '../helpers/redis.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';
import { vin } from '../helpers/vins.js';

type CaseMessage = { type: string; case: Case };

/** The car fires `type`; resolves with the case the feed shows opened for it. */
async function fire(car: RawMqttClient, feed: FeedClient, v: string, type: EventType, over: Record<string, unknown> = {}): Promise<Case> {
  const e = validEvent(v, type, over);
  await car.publish(topics.event(v, type), JSON.stringify(e));
  return (await feed.next<CaseMessage>((m) => m.type === 'case.opened' && (m as CaseMessage).case.eventId === e.eventId)).case;
}

describe('dispatches, no response, dealers and stats over HTTP, MQTT and the feed (memory store)', () => {
  let stack: TestStack;
  let car: RawMqttClient;
  let clock: VirtualClock;

  afterEach(async () => {
    await car?.end();
    await stack?.close();
  });

  async function start(config: Record<string, unknown> = {}) {
    clock = new VirtualClock(Date.now());
    stack = await startTestStack({ clock, config });
    car = await RawMqttClient.connect(stack.mqttUrl);
    return stack.feed();
  }

  it('POST dispatches -> 201 requested at the car position; PATCH moves it forward; the feed and the audit show each step', async () => {
    const feed = await start();
    const c = await fire(car, feed, vin(1301), 'airbag');
    expect((await stack.http('POST', `/v1/cases/${c.id}/answer`)).status).toBe(200);

    const created = await stack.http('POST', `/v1/cases/${c.id}/dispatches`, { agency: 'fire_ambulance', note: 'driver unconscious', reference: '119-0042' });
    expect(created.status).toBe(201);
    const d = created.body as Dispatch;
    expect(d).toMatchObject({ caseId: c.id, agency: 'fire_ambulance', status: 'requested', requestedBy: 'op-1', note: 'driver unconscious', reference: '119-0042', position: { lat: 35.6812, lon: 139.7671, trusted: true } });
    const updated = await feed.next<CaseMessage>((m) => m.type === 'case.updated' && ((m as CaseMessage).case.dispatches?.length ?? 0) === 1);
    expect(updated.case.dispatches![0]).toEqual(d);

    const enRoute = await stack.http('PATCH', `/v1/cases/${c.id}/dispatches/${d.id}`, { status: 'en_route', etaMinutes: 9 });
    expect(enRoute).toMatchObject({ status: 200, body: { id: d.id, status: 'en_route', etaMinutes: 9 } });
    expect((await stack.http('PATCH', `/v1/cases/${c.id}/dispatches/${d.id}`, { status: 'requested' })).status).toBe(400); // not a target of PATCH
    expect((await stack.http('PATCH', `/v1/cases/${c.id}/dispatches/${d.id}`, { status: 'completed' })).status).toBe(200);
    const again = await stack.http('PATCH', `/v1/cases/${c.id}/dispatches/${d.id}`, { status: 'cancelled' });
    expect(again).toMatchObject({ status: 409, body: { error: 'dispatch_finished', dispatchId: d.id, status: 'completed' } });

    const police = (await stack.http('POST', `/v1/cases/${c.id}/dispatches`, { agency: 'police' })).body as Dispatch;
    expect((await stack.http('PATCH', `/v1/cases/${c.id}/dispatches/${police.id}`, { status: 'on_scene' })).status).toBe(200);
    expect(await stack.http('PATCH', `/v1/cases/${c.id}/dispatches/${police.id}`, { status: 'en_route' })).toMatchObject({ status: 409, body: { error: 'dispatch_status_backwards' } });
    expect(await stack.http('PATCH', `/v1/cases/${c.id}/dispatches/UNKNOWN1`, { status: 'en_route' })).toMatchObject({ status: 404, body: { error: 'dispatch_not_found' } });

    const stored = (await stack.http('GET', `/v1/cases/${c.id}`)).body as Case;
    expect(stored.dispatches!.map((x) => [x.agency, x.status])).toEqual([
      ['fire_ambulance', 'completed'],
      ['police', 'on_scene'],
    ]);
    const audit = (await stack.http('GET', `/v1/audit?caseId=${c.id}`)).body as { entries: AuditEntry[] };
    expect(audit.entries.map((e) => e.action).reverse()).toEqual(['case.answer', 'dispatch.create', 'dispatch.update', 'dispatch.update', 'dispatch.create', 'dispatch.update']);
    expect(audit.entries[0]).toMatchObject({ actor: { kind: 'operator', id: 'op-1' }, details: { dispatchId: police.id, from: 'requested', to: 'on_scene' } });
  });

  it('refusals: 404 unknown case, 400 bad agency, 400 no operator named, 400 coverage on police, 409 case_taken', async () => {
    const feed = await start();
    const c = await fire(car, feed, vin(1302), 'sos');
    expect(await stack.http('POST', '/v1/cases/NOSUCHCASE/dispatches', { agency: 'police' })).toMatchObject({ status: 404, body: { error: 'case_not_found' } });
    expect((await stack.http('POST', `/v1/cases/${c.id}/dispatches`, { agency: 'taxi' })).status).toBe(400);
    expect(await stack.http('POST', `/v1/cases/${c.id}/dispatches`, { agency: 'police' }, { 'x-operator-id': '' })).toMatchObject({ status: 400, body: { error: 'operator_required' } });
    const coverage = { programme: 'jcb-car-rescue-365', eligible: true, refusals: [], work: [], programmeName: 'x', version: null, japanTime: '2026-11-21 19:00', guidance: [], explanations: [] };
    expect(await stack.http('POST', `/v1/cases/${c.id}/dispatches`, { agency: 'police', coverage })).toMatchObject({ status: 400, body: { error: 'coverage_not_applicable' } });
    expect((await stack.http('POST', `/v1/cases/${c.id}/answer`, {}, { 'x-operator-id': 'op-2' })).status).toBe(200);
    expect(await stack.http('POST', `/v1/cases/${c.id}/dispatches`, { agency: 'police' })).toMatchObject({ status: 409, body: { error: 'case_taken', operatorId: 'op-2' } });
  });

  it('D4.2 no response: 201 with fire and police at the last known position, 200 with nothing new on a repeat; trouble is 409 not_an_emergency', async () => {
    const feed = await start();
    const c = await fire(car, feed, vin(1303), 'sos');
    const first = await stack.http('POST', `/v1/cases/${c.id}/no-response`);
    expect(first.status).toBe(201);
    expect((first.body.created as Dispatch[]).map((d) => [d.agency, d.status, d.noResponse, d.position?.lat])).toEqual([
      ['fire_ambulance', 'requested', true, 35.6812],
      ['police', 'requested', true, 35.6812],
    ]);
    await feed.next<CaseMessage>((m) => m.type === 'case.updated' && ((m as CaseMessage).case.dispatches?.length ?? 0) === 2);
    const second = await stack.http('POST', `/v1/cases/${c.id}/no-response`);
    expect(second).toMatchObject({ status: 200, body: { created: [] } });
    expect(second.body.dispatches).toHaveLength(2);
    const actions = ((await stack.http('GET', `/v1/audit?caseId=${c.id}`)).body as { entries: AuditEntry[] }).entries.map((e) => e.action);
    expect(actions.sort()).toEqual(['case.no_response', 'dispatch.create', 'dispatch.create']);

    const t = await fire(car, feed, vin(1304), 'trouble');
    expect(await stack.http('POST', `/v1/cases/${t.id}/no-response`)).toMatchObject({ status: 409, body: { error: 'not_an_emergency', trigger: 'trouble' } });
    expect(await stack.http('POST', '/v1/cases/NOSUCHCASE/no-response')).toMatchObject({ status: 404, body: { error: 'case_not_found' } });
  });

  it('D4.4 destinations: PUT /v1/vehicles/{vin}/dealer registers the dealer, road_service goes there; without one the nearest; 404 unknown_dealer', async () => {
    const feed = await start();
    const [registered, other] = [vin(1305), vin(1306)];
    expect(await stack.http('PUT', `/v1/vehicles/${registered}/dealer`, { dealerId: 'sample-fukuoka' })).toMatchObject({ status: 200, body: { vin: registered, dealer: { id: 'sample-fukuoka' } } });
    expect(await stack.http('PUT', `/v1/vehicles/${registered}/dealer`, { dealerId: 'nope' })).toMatchObject({ status: 404, body: { error: 'unknown_dealer' } });
    const c = await fire(car, feed, registered, 'trouble');
    const d = (await stack.http('POST', `/v1/cases/${c.id}/dispatches`, { agency: 'road_service', serviceCar: { id: 'jaf-7', reportsPosition: true } })).body as Dispatch;
    expect(d.destination).toMatchObject({ kind: 'registered_dealer', dealerId: 'sample-fukuoka' });
    const o = await fire(car, feed, other, 'trouble', { position: { lat: 34.99, lon: 135.76, trusted: true } });
    const near = (await stack.http('POST', `/v1/cases/${o.id}/dispatches`, { agency: 'dealer_transport' })).body as Dispatch;
    expect(near.destination).toMatchObject({ kind: 'nearest_dealer', dealerId: 'sample-kyoto' });
    const entries = ((await stack.http('GET', '/v1/audit?actor=op-1')).body as { entries: AuditEntry[] }).entries;
    expect(entries.find((e) => e.action === 'vehicle.dealer')).toMatchObject({ vin: registered, details: { dealerId: 'sample-fukuoka' } });
  });

  it('issue 13 part 4: a road_service dispatch keeps the coverage assessment of POST /v1/coverage/assess', async () => {
    const feed = await start();
    const c = await fire(car, feed, vin(1307), 'trouble');
    const assess = await stack.http('POST', '/v1/coverage/assess', {
      programme: 'jcb-car-rescue-365',
      vehicle: { category: 'private', wheels: 4, weightKg: 1400, plate: 'white', inspectionValid: true, illegallyModified: false },
      incident: { at: '2026-11-21T10:00:00.000Z', work: ['tow'], towKm: 25, distanceFromHomeKm: 30, drivable: false, place: 'road', conditions: 'normal', driverCondition: 'normal', intentional: false, similarRequestsRecently: 0 },
    });
    expect(assess.status).toBe(200);
    const d = await stack.http('POST', `/v1/cases/${c.id}/dispatches`, { agency: 'road_service', coverage: assess.body });
    expect(d.status).toBe(201);
    expect((d.body as Dispatch).coverage).toEqual(assess.body);
    expect(((await stack.http('GET', `/v1/cases/${c.id}`)).body as Case).dispatches![0]!.coverage).toEqual(assess.body);
    expect((await stack.http('POST', `/v1/cases/${c.id}/dispatches`, { agency: 'road_service', coverage: { programme: 'x' } })).status).toBe(400);
  });

  it('answer targets: a P2 call ringing 15 s is escalated once (case.escalated on the feed, /metrics); GET /v1/stats has the predicted figures', async () => {
    const feed = await start();
    const ringing = await fire(car, feed, vin(1308), 'sos');
    const answered = await fire(car, feed, vin(1309), 'airbag');
    await clock.advance(4_000);
    expect((await stack.http('POST', `/v1/cases/${answered.id}/answer`)).status).toBe(200);
    expect((await stack.http('POST', `/v1/cases/${answered.id}/no-response`)).status).toBe(201);
    await clock.advance(11_000);
    const escalated = await feed.next<{ type: string; caseId: string; priority: number; targetSeconds: number }>((m) => (m.type as string) === 'case.escalated');
    expect(escalated).toMatchObject({ caseId: ringing.id, priority: 2, targetSeconds: 15 });
    await clock.advance(60_000);
    const metrics = (await stack.http('GET', '/metrics')).body as string;
    expect(metrics).toMatch(/anshin_cases_escalated_total\{priority="2"\} 1\n/);
    expect(metrics).toMatch(/anshin_answer_time_seconds_sum\{priority="1"\} 4\n/);
    expect(metrics).toMatch(/anshin_answers_within_target_total\{priority="1"\} 1\n/);
    expect(((await stack.http('GET', `/v1/cases/${ringing.id}`)).body as Case).escalatedAt).toBeDefined();

    const stats = await stack.http('GET', '/v1/stats');
    expect(stats.status).toBe(200);
    expect(stats.body).toMatchObject({
      queue: { byPriority: { '1': { ringing: 0, connected: 1, cleared: 0 }, '2': { ringing: 1, connected: 0, cleared: 0 }, '3': { ringing: 0, connected: 0, cleared: 0 } }, oldestRingingSeconds: 75 },
      answerTime: {
        byPriority: {
          '1': { p50Seconds: 4, p90Seconds: 4, withinTargetShare: 1, answered: 1, targetSeconds: 10 },
          '2': { p50Seconds: null, p90Seconds: null, withinTargetShare: null, answered: 0, targetSeconds: 15 },
          '3': { p50Seconds: null, withinTargetShare: null, targetSeconds: 20 },
        },
        windowHours: 24,
      },
      dispatchesOpen: 3, // fire_ambulance, police and the doctor helicopter: the airbag's default data recommends one (D4.3)
      operatorsOnDuty: 1,
    });
  });
});

describe('AUTH=on: dispatches by an operator, stats for supervisors', () => {
  let stack: TestStack;
  let car: RawMqttClient;
  const ADMIN_PASSWORD = 'correct-horse-battery';
  afterEach(async () => {
    await car?.end();
    await stack?.close();
  });

  async function login(username: string, password: string): Promise<string> {
    const res = await stack.http('POST', '/v1/auth/login', { username, password });
    expect(res.status).toBe(200);
    return res.body.token as string;
  }

  it('an operator may dispatch as itself (403 naming another), but not read /v1/stats (403); a supervisor may; no token is 401', async () => {
    stack = await startTestStack({ config: { AUTH: 'on', ADMIN_PASSWORD, PASSWORD_SCRYPT_COST: 10 } });
    const admin = await login('admin', ADMIN_PASSWORD);
    // stack.http names op-1 by default: a logged-in operator names itself (or nobody).
    const as = (token: string, username = 'admin') => ({ authorization: `Bearer ${token}`, 'x-operator-id': username });
    for (const [username, role] of [['alice', 'operator'], ['sam', 'supervisor']]) {
      expect((await stack.http('POST', '/v1/operators', { username, password: 'password-for-' + username, role }, as(admin))).status).toBe(201);
    }
    const alice = await login('alice', 'password-for-alice');
    const sam = await login('sam', 'password-for-sam');
    const feed = await stack.feed(`token=${admin}`);
    // Cars need credentials with AUTH=on: issue some and connect as the car.
    const v = vin(1310);
    const cred = await stack.http('PUT', `/v1/vehicles/${v}/credentials`, undefined, as(admin));
    expect(cred.status).toBe(201);
    car = await RawMqttClient.connect(stack.mqttUrl, { clientId: v, username: v, password: cred.body.password as string });
    const c = await fire(car, feed, v, 'airbag');

    expect((await stack.http('POST', `/v1/cases/${c.id}/dispatches`, { agency: 'police' }, { 'x-operator-id': '' })).status).toBe(401);
    expect(await stack.http('POST', `/v1/cases/${c.id}/dispatches`, { agency: 'police' }, as(alice, 'bob'))).toMatchObject({ status: 403, body: { error: 'forbidden' } });
    const d = await stack.http('POST', `/v1/cases/${c.id}/dispatches`, { agency: 'police' }, as(alice, 'alice'));
    expect(d).toMatchObject({ status: 201, body: { requestedBy: 'alice' } });
    expect(await stack.http('POST', `/v1/cases/${c.id}/no-response`, undefined, as(alice, 'alice'))).toMatchObject({ status: 201 });
    expect(await stack.http('GET', '/v1/stats', undefined, as(alice, 'alice'))).toMatchObject({ status: 403, body: { error: 'forbidden', required: 'supervisor' } });
    const stats = await stack.http('GET', '/v1/stats', undefined, as(sam, 'sam'));
    expect(stats).toMatchObject({ status: 200, body: { dispatchesOpen: 3, operatorsOnDuty: 0 } });
    const audit = ((await stack.http('GET', `/v1/audit?caseId=${c.id}`, undefined, as(sam, 'sam'))).body as { entries: AuditEntry[] }).entries;
    expect(audit.filter((e) => e.action === 'dispatch.create').every((e) => e.actor.kind === 'operator' && e.actor.id === 'alice')).toBe(true);
  });
});

describe('Redis: two instances share dispatches, the feed and the escalation', () => {
  let redis: TestRedis;
  const stacks: TestStack[] = [];
  let car: RawMqttClient;
  beforeAll(async () => {
    redis = await testRedis();
  });
  afterAll(async () => redis?.close());
  afterEach(async () => {
    await car?.end();
    for (const s of stacks.splice(0)) await s.close();
  });

  it('a dispatch committed on one instance is on the other instance feed and API; the escalation is decided once by the two', async () => {
    const clock = new VirtualClock(Date.now());
    const config = { REDIS_URL: redis.url, REDIS_KEY_PREFIX: uniquePrefix('dispatches') };
    stacks.push(await startTestStack({ clock, config }), await startTestStack({ clock, config }));
    const [a, b] = stacks as [TestStack, TestStack];
    const feedB = await b.feed();
    car = await RawMqttClient.connect(a.mqttUrl);
    const c = await fire(car, feedB, vin(1311), 'impact');
    const d = await a.http('POST', `/v1/cases/${c.id}/dispatches`, { agency: 'fire_ambulance' });
    expect(d.status).toBe(201);
    const seen = await feedB.next<CaseMessage>((m) => m.type === 'case.updated' && ((m as CaseMessage).case.dispatches?.length ?? 0) === 1);
    expect(seen.case.dispatches![0]).toEqual(d.body);
    expect(await b.http('PATCH', `/v1/cases/${c.id}/dispatches/${(d.body as Dispatch).id}`, { status: 'en_route' })).toMatchObject({ status: 200, body: { status: 'en_route' } });
    expect(((await a.http('GET', `/v1/cases/${c.id}`)).body as Case).dispatches![0]!.status).toBe('en_route');

    // The impact call still rings (the dispatch did not answer it): both instances armed its 10 s target.
    await clock.advance(10_000);
    await feedB.next((m) => (m.type as string) === 'case.escalated');
    await clock.advance(60_000);
    await expect.poll(async () => ((await a.http('GET', `/v1/cases/${c.id}`)).body as Case).escalatedAt).toBeDefined();
    const count = async (s: TestStack) => Number(/anshin_cases_escalated_total\{priority="1"\} (\d+)/.exec((await s.http('GET', '/metrics')).body as string)?.[1] ?? 0);
    expect((await count(a)) + (await count(b))).toBe(1);
    expect(feedB.messages.filter((m) => (m.type as string) === 'case.escalated')).toHaveLength(1);
  });
});
