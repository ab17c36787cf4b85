/**
 * Issue 12 part 5 (contract "Message relay", D4.5) over real parts: MQTT.js clients on the embedded aedes
 * broker (a car, and a listener on the email outbox topic), the HTTP API and the operator feed WebSocket;
 * AUTH=on; with Redis, two instances sharing contacts, tokens and relays.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { topics, type AuditEntry, type Case, type EventType, type OutboxEmail, type Relay } from '../../protocol/index.js';
import type { FeedClient } from '../helpers/feed-client.js';
import { RawMqttClient, validEvent } from '../helpers/raw-mqtt.js';
import { testRedis, uniquePrefix, type TestRedis } from '../helpers/redis.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';
import { vin } from '../helpers/vins.js';

type CaseMessage = { type: string; case: Case };
const HANAKO = { name: 'Hanako', phone: '090-1234-5678', email: 'hanako@example.jp' };

async function fire(car: RawMqttClient, feed: FeedClient, v: string, type: EventType): Promise<Case> {
  const e = validEvent(v, type);
  await car.publish(topics.event(v, type), JSON.stringify(e));
  return (await feed.next<CaseMessage>((m) => m.type === 'case.opened' && (m as CaseMessage).case.eventId === e.eventId)).case;
}

/** The next email on `v1/outbox/email` to `to` of `kind` (the mail gateway's view). */
async function mailTo(listener: RawMqttClient, to: string, kind: OutboxEmail['kind'], seen = new Set<string>()): Promise<OutboxEmail> {
  const m = await listener.next((x) => {
    if (x.topic !== topics.outboxEmail || seen.has(x.payload.toString())) return false;
    const mail = JSON.parse(x.payload.toString()) as OutboxEmail;
    return mail.to === to && mail.kind === kind;
  });
  seen.add(m.payload.toString());
  return JSON.parse(m.payload.toString()) as OutboxEmail;
}

describe('message relay over HTTP, MQTT and the feed (memory store)', () => {
  let stack: TestStack;
  let car: RawMqttClient;
  let listener: RawMqttClient;

  afterEach(async () => {
    await car?.end();
    await listener?.end();
    await stack?.close();
  });

  async function start() {
    stack = await startTestStack();
    car = await RawMqttClient.connect(stack.mqttUrl);
    listener = await RawMqttClient.connect(stack.mqttUrl);
    await listener.subscribe([topics.outboxEmail]);
    return stack.feed();
  }

  it('D4.5 contacts, confirmation, relay, phone not answered -> the call-back email leaves on v1/outbox/email; feed and audit show each step', async () => {
    const feed = await start();
    const v = vin(1501);
    const put = await stack.http('PUT', `/v1/vehicles/${v}/contacts`, { contacts: [{ name: 'Mail only', email: 'm@example.jp' }, HANAKO] });
    expect(put).toMatchObject({ status: 200, body: { vin: v, contacts: [{ name: 'Mail only', email: 'm@example.jp', emailStatus: 'provisional' }, { ...HANAKO, emailStatus: 'provisional' }] } });
    const confirmation = await mailTo(listener, HANAKO.email, 'contact_confirmation');
    if (confirmation.kind !== 'contact_confirmation') throw new Error('not a confirmation');
    // Public route: no operator, no token but the one mailed.
    const confirmed = await stack.http('POST', '/v1/contacts/confirm', { token: confirmation.token }, { 'x-operator-id': '' });
    expect(confirmed).toMatchObject({ status: 200, body: { email: HANAKO.email, emailStatus: 'confirmed' } });
    expect(await stack.http('POST', '/v1/contacts/confirm', { token: confirmation.token })).toMatchObject({ status: 410, body: { error: 'contact_token_used' } });
    expect(await stack.http('POST', '/v1/contacts/confirm', { token: 'A'.repeat(43) })).toMatchObject({ status: 404, body: { error: 'contact_token_not_found' } });
    expect((await stack.http('POST', '/v1/contacts/confirm', { token: 'not a token!' })).status).toBe(400);
    expect((await stack.http('GET', `/v1/vehicles/${v}/contacts`)).body.contacts[1]).toMatchObject({ email: HANAKO.email, emailStatus: 'confirmed' });

    const c = await fire(car, feed, v, 'trouble');
    expect((await stack.http('POST', `/v1/cases/${c.id}/answer`)).status).toBe(200);
    expect(await stack.http('POST', `/v1/cases/${c.id}/relay`, { message: 'x' })).toMatchObject({ status: 409, body: { error: 'relay_not_available', reason: 'no_transport' } });
    expect((await stack.http('POST', `/v1/cases/${c.id}/dispatches`, { agency: 'road_service' })).status).toBe(201);

    const created = await stack.http('POST', `/v1/cases/${c.id}/relay`, { message: 'The tow truck arrives in 30 minutes' });
    expect(created).toMatchObject({ status: 201, body: { status: 'pending', contactName: 'Hanako', attempts: [{ channel: 'phone', to: HANAKO.phone, result: 'pending' }] } });
    const r = created.body as Relay;
    const updated = await feed.next<CaseMessage>((m) => m.type === 'case.updated' && ((m as CaseMessage).case.relays?.length ?? 0) === 1);
    expect(updated.case.relays).toEqual([r]);
    expect(await stack.http('POST', `/v1/cases/${c.id}/relay`, { message: 'again' })).toMatchObject({ status: 409, body: { error: 'already_called', relayId: r.id, status: 'pending' } });

    const result = await stack.http('POST', `/v1/cases/${c.id}/relay/${r.id}/phone-result`, { answered: false });
    expect(result).toMatchObject({
      status: 200,
      body: { id: r.id, status: 'delivered', attempts: [{ channel: 'phone', result: 'not_answered' }, { channel: 'email', to: HANAKO.email, result: 'sent' }] },
    });
    await feed.next<CaseMessage>((m) => m.type === 'case.updated' && (m as CaseMessage).case.relays?.[0]?.status === 'delivered');
    const callback = await mailTo(listener, HANAKO.email, 'relay_callback_request');
    expect(callback.body).toContain(c.id);
    expect(await stack.http('POST', `/v1/cases/${c.id}/relay/${r.id}/phone-result`, { answered: true })).toMatchObject({ status: 409, body: { error: 'already_called', status: 'delivered' } });

    const audit = ((await stack.http('GET', `/v1/audit?caseId=${c.id}`)).body as { entries: AuditEntry[] }).entries;
    expect(audit.map((e) => e.action).reverse()).toEqual(['case.answer', 'dispatch.create', 'relay.create', 'relay.phone_result']);
    expect(audit[0]).toMatchObject({ actor: { kind: 'operator', id: 'op-1' }, details: { relayId: r.id, answered: false, status: 'delivered', emailTo: HANAKO.email } });
    const vehicleAudit = ((await stack.http('GET', '/v1/audit?actor=op-1')).body as { entries: AuditEntry[] }).entries;
    expect(vehicleAudit.find((e) => e.action === 'contacts.update')).toMatchObject({ vin: v, details: { confirmationSent: ['m@example.jp', HANAKO.email] } });
  });

  it('D4.5 answered: delivered, no email; a provisional address not answered: unreachable, no email', async () => {
    const feed = await start();
    const v = vin(1502);
    expect((await stack.http('PUT', `/v1/vehicles/${v}/contacts`, { contacts: [HANAKO] })).status).toBe(200);
    await mailTo(listener, HANAKO.email, 'contact_confirmation');
    const c = await fire(car, feed, v, 'trouble');
    expect((await stack.http('POST', `/v1/cases/${c.id}/dispatches`, { agency: 'dealer_transport' })).status).toBe(201);
    const first = (await stack.http('POST', `/v1/cases/${c.id}/relay`, { message: 'one' })).body as Relay;
    expect(await stack.http('POST', `/v1/cases/${c.id}/relay/${first.id}/phone-result`, { answered: true })).toMatchObject({ status: 200, body: { status: 'delivered', attempts: [{ result: 'answered' }] } });
    const second = (await stack.http('POST', `/v1/cases/${c.id}/relay`, { message: 'two' })).body as Relay;
    expect(await stack.http('POST', `/v1/cases/${c.id}/relay/${second.id}/phone-result`, { answered: false })).toMatchObject({ status: 200, body: { status: 'unreachable', attempts: [{ result: 'not_answered' }] } });
    expect(((await stack.http('GET', `/v1/cases/${c.id}`)).body as Case).relays?.map((r) => r.status)).toEqual(['delivered', 'unreachable']);
    expect(listener.received.filter((m) => m.topic === topics.outboxEmail).map((m) => (JSON.parse(m.payload.toString()) as OutboxEmail).kind)).toEqual(['contact_confirmation']);
  });

  it('refusals: 404 unknown case / relay, 400 bad bodies, 400 no operator named, 409 relay_not_available, no_registered_contact, case_taken', async () => {
    const feed = await start();
    const v = vin(1503);
    expect(await stack.http('POST', '/v1/cases/NOSUCHCASE/relay', { message: 'x' })).toMatchObject({ status: 404, body: { error: 'case_not_found' } });
    expect(await stack.http('POST', '/v1/cases/NOSUCHCASE/relay/R1/phone-result', { answered: true })).toMatchObject({ status: 404, body: { error: 'case_not_found' } });
    const t = await fire(car, feed, v, 'trouble');
    expect((await stack.http('POST', `/v1/cases/${t.id}/dispatches`, { agency: 'road_service' })).status).toBe(201);
    expect(await stack.http('POST', `/v1/cases/${t.id}/relay`, { message: 'x' })).toMatchObject({ status: 409, body: { error: 'no_registered_contact', contacts: 0 } });
    expect(await stack.http('POST', `/v1/cases/${t.id}/relay/NOSUCHRELAY/phone-result`, { answered: true })).toMatchObject({ status: 404, body: { error: 'relay_not_found', relayId: 'NOSUCHRELAY' } });
    for (const bad of [{}, { message: '' }, { message: 'x', extra: 1 }, { message: 42 }]) expect((await stack.http('POST', `/v1/cases/${t.id}/relay`, bad)).status).toBe(400);
    for (const bad of [{}, { answered: 'no' }]) expect((await stack.http('POST', `/v1/cases/${t.id}/relay/R1/phone-result`, bad)).status).toBe(400);
    expect(await stack.http('POST', `/v1/cases/${t.id}/relay`, { message: 'x' }, { 'x-operator-id': '' })).toMatchObject({ status: 400, body: { error: 'operator_required' } });
    for (const bad of [{ contacts: [{ phone: '090' }] }, { contacts: [{ name: 'x', email: 'a@b' }] }, { contacts: [{ name: 'x', email: 'a@b.jp, c@d.jp' }] }, { contacts: [{ name: 'x', phone: 'call me' }] }, { contacts: Array.from({ length: 6 }, (_, i) => ({ name: `c${i}` })) }]) {
      expect((await stack.http('PUT', `/v1/vehicles/${v}/contacts`, bad)).status, JSON.stringify(bad)).toBe(400);
    }
    expect((await stack.http('PUT', '/v1/vehicles/NOTAVIN/contacts', { contacts: [] })).status).toBe(400);

    expect((await stack.http('PUT', `/v1/vehicles/${v}/contacts`, { contacts: [{ name: 'Jiro', phone: '03-0000-1111' }] })).status).toBe(200);
    expect((await stack.http('POST', `/v1/cases/${t.id}/answer`, {}, { 'x-operator-id': 'op-2' })).status).toBe(200);
    expect(await stack.http('POST', `/v1/cases/${t.id}/relay`, { message: 'x' })).toMatchObject({ status: 409, body: { error: 'case_taken', operatorId: 'op-2' } });

    const a = await fire(car, feed, vin(1504), 'airbag');
    expect((await stack.http('POST', `/v1/cases/${a.id}/dispatches`, { agency: 'road_service' })).status).toBe(201);
    expect(await stack.http('POST', `/v1/cases/${a.id}/relay`, { message: 'x' })).toMatchObject({ status: 409, body: { error: 'relay_not_available', reason: 'not_trouble' } });

    // The routes are documented with their errors (/docs).
    const paths = (await stack.http('GET', '/docs/json')).body.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>;
    expect(Object.keys(paths['/v1/cases/{id}/relay']!.post!.responses)).toEqual(expect.arrayContaining(['201', '400', '404', '409']));
    expect(Object.keys(paths['/v1/cases/{id}/relay/{relayId}/phone-result']!.post!.responses)).toEqual(expect.arrayContaining(['200', '404', '409']));
    expect(Object.keys(paths['/v1/contacts/confirm']!.post!.responses)).toEqual(expect.arrayContaining(['200', '400', '404', '410']));
    expect(paths['/v1/vehicles/{vin}/contacts']).toHaveProperty('put');
  });
});

describe('AUTH=on: contacts by a logged-in operator or admin, confirmation public, relay as oneself', () => {
  let stack: TestStack;
  let car: RawMqttClient;
  const ADMIN_PASSWORD = 'correct-horse-battery';
  afterEach(async () => {
    await car?.end();
    await stack?.close();
  });

  it('401 without a token; an operator registers contacts and relays as itself (403 naming another); confirm needs no login', async () => {
    stack = await startTestStack({ config: { AUTH: 'on', ADMIN_PASSWORD, PASSWORD_SCRYPT_COST: 10 } });
    const login = async (username: string, password: string) => ((await stack.http('POST', '/v1/auth/login', { username, password })).body as { token: string }).token;
    const admin = await login('admin', ADMIN_PASSWORD);
    const as = (token: string, username: string) => ({ authorization: `Bearer ${token}`, 'x-operator-id': username });
    expect((await stack.http('POST', '/v1/operators', { username: 'alice', password: 'password-for-alice', role: 'operator' }, as(admin, 'admin'))).status).toBe(201);
    const alice = await login('alice', 'password-for-alice');
    const v = vin(1510);

    expect(await stack.http('PUT', `/v1/vehicles/${v}/contacts`, { contacts: [HANAKO] }, { 'x-operator-id': '' })).toMatchObject({ status: 401, body: { error: 'unauthorized' } });
    expect(await stack.http('PUT', `/v1/vehicles/${v}/contacts`, { contacts: [HANAKO] }, as(alice, 'bob'))).toMatchObject({ status: 403, body: { error: 'forbidden' } });
    expect((await stack.http('GET', `/v1/vehicles/${v}/contacts`, undefined, { 'x-operator-id': '' })).status).toBe(401);
    const put = await stack.http('PUT', `/v1/vehicles/${v}/contacts`, { contacts: [HANAKO] }, as(alice, 'alice'));
    expect(put).toMatchObject({ status: 200, body: { contacts: [{ emailStatus: 'provisional' }] } });
    expect((await stack.http('PUT', `/v1/vehicles/${v}/contacts`, { contacts: [HANAKO, { name: 'Jiro', phone: '03-0000-1111' }] }, as(admin, 'admin'))).status).toBe(200);
    // No login at all: the token is the credential; a wrong one is 404 all the same.
    expect(await stack.http('POST', '/v1/contacts/confirm', { token: 'B'.repeat(43) }, { 'x-operator-id': '' })).toMatchObject({ status: 404, body: { error: 'contact_token_not_found' } });

    const cred = await stack.http('PUT', `/v1/vehicles/${v}/credentials`, undefined, as(admin, 'admin'));
    car = await RawMqttClient.connect(stack.mqttUrl, { clientId: v, username: v, password: cred.body.password as string });
    const feed = await stack.feed(`token=${admin}`);
    const c = await fire(car, feed, v, 'trouble');
    expect((await stack.http('POST', `/v1/cases/${c.id}/dispatches`, { agency: 'road_service' }, as(alice, 'alice'))).status).toBe(201);
    expect((await stack.http('POST', `/v1/cases/${c.id}/relay`, { message: 'x' }, { 'x-operator-id': '' })).status).toBe(401);
    expect(await stack.http('POST', `/v1/cases/${c.id}/relay`, { message: 'x', operatorId: 'bob' }, as(alice, 'alice'))).toMatchObject({ status: 403, body: { error: 'forbidden' } });
    const r = await stack.http('POST', `/v1/cases/${c.id}/relay`, { message: 'x' }, as(alice, 'alice'));
    expect(r).toMatchObject({ status: 201, body: { requestedBy: 'alice', status: 'pending' } });
    expect(await stack.http('POST', `/v1/cases/${c.id}/relay/${(r.body as Relay).id}/phone-result`, { answered: true }, as(alice, 'bob'))).toMatchObject({ status: 403 });
    expect(await stack.http('POST', `/v1/cases/${c.id}/relay/${(r.body as Relay).id}/phone-result`, { answered: true }, as(alice, 'alice'))).toMatchObject({ status: 200, body: { status: 'delivered' } });
  });
});

describe('Redis: two instances share contacts, the token index and relays', () => {
  let redis: TestRedis;
  const stacks: TestStack[] = [];
  let car: RawMqttClient;
  let listener: RawMqttClient;
  beforeAll(async () => {
    redis = await testRedis();
  });
  afterAll(async () => redis?.close());
  afterEach(async () => {
    await car?.end();
    await listener?.end();
    for (const s of stacks.splice(0)) await s.close();
  });

  it('registered on one instance, confirmed and relayed on the other; the emails reach a listener on the other instance broker (clustered through Redis)', async () => {
    const config = { REDIS_URL: redis.url, REDIS_KEY_PREFIX: uniquePrefix('relay') };
    stacks.push(await startTestStack({ config }), await startTestStack({ config }));
    const [a, b] = stacks as [TestStack, TestStack];
    listener = await RawMqttClient.connect(b.mqttUrl);
    await listener.subscribe([topics.outboxEmail]);
    const v = vin(1520);
    expect((await a.http('PUT', `/v1/vehicles/${v}/contacts`, { contacts: [HANAKO] })).status).toBe(200);
    const confirmation = await mailTo(listener, HANAKO.email, 'contact_confirmation');
    if (confirmation.kind !== 'contact_confirmation') throw new Error('not a confirmation');
    expect(await b.http('POST', '/v1/contacts/confirm', { token: confirmation.token })).toMatchObject({ status: 200, body: { emailStatus: 'confirmed' } });
    expect((await a.http('GET', `/v1/vehicles/${v}/contacts`)).body.contacts[0]).toMatchObject({ emailStatus: 'confirmed' });

    const feedB = await b.feed();
    car = await RawMqttClient.connect(a.mqttUrl);
    const c = await fire(car, feedB, v, 'trouble');
    expect((await a.http('POST', `/v1/cases/${c.id}/dispatches`, { agency: 'road_service' })).status).toBe(201);
    const r = (await b.http('POST', `/v1/cases/${c.id}/relay`, { message: 'on its way' })).body as Relay;
    expect(await a.http('POST', `/v1/cases/${c.id}/relay`, { message: 'again' })).toMatchObject({ status: 409, body: { error: 'already_called' } });
    expect(await a.http('POST', `/v1/cases/${c.id}/relay/${r.id}/phone-result`, { answered: false })).toMatchObject({ status: 200, body: { status: 'delivered' } });
    await mailTo(listener, HANAKO.email, 'relay_callback_request');
    await feedB.next<CaseMessage>((m) => m.type === 'case.updated' && (m as CaseMessage).case.relays?.[0]?.status === 'delivered');
  });
});
