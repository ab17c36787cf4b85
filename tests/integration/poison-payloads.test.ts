import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, topics, type Case, type DeadLetter } from '../../protocol/index.js';
import type { FeedClient } from '../helpers/feed-client.js';
import { metricValue, RawMqttClient, validEvent } from '../helpers/raw-mqtt.js';
import { testRedis, uniquePrefix, type TestRedis } from '../helpers/redis.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';
import { vin } from '../helpers/vins.js';

/**
 * Issue "No acknowledged emergency event lost", the black-box probe: values that JSON.parse accepts but
 * Redis's Lua cjson cannot read back (a lone surrogate, nesting past 1000) were stored and left the car's
 * record unreadable; an impossible time was stored as if real. Now each is dead-lettered with its reason
 * before anything is stored. Real Redis, real aedes broker, raw MQTT.js publishes, real HTTP and feed.
 */
describe('poison payloads never reach the store; the car and the store stay readable', () => {
  let redis: TestRedis;
  let stack: TestStack;
  let car: RawMqttClient; // publishes hand-made bytes, as the probe did
  let watch: RawMqttClient; // sees the dead letters
  let feed: FeedClient;
  const poisoned = vin(401);
  const other = vin(402);
  let poisonedCase: Case;

  beforeAll(async () => {
    redis = await testRedis();
    stack = await startTestStack({ config: { REDIS_URL: redis.url, REDIS_KEY_PREFIX: uniquePrefix('poison') } });
    watch = await RawMqttClient.connect(stack.mqttUrl);
    await watch.subscribe([topics.deadLetter]);
    car = await RawMqttClient.connect(stack.mqttUrl);
    feed = await stack.feed();
    await feed.next((m) => m.type === 'snapshot');
  });
  afterAll(async () => {
    await car?.end();
    await watch?.end();
    await stack?.close();
    await redis?.close();
  });

  async function rejections(reason: string): Promise<number> {
    const res = await fetch(`${stack.httpUrl}/metrics`);
    return metricValue(await res.text(), 'anshin_ingest_rejections_total', { reason });
  }

  /** Publishes the bytes and returns their dead letter (matched by the payload it carries). */
  async function deadLettered(topic: string, payload: string): Promise<DeadLetter> {
    const b64 = Buffer.from(payload).toString('base64');
    await car.publish(topic, payload);
    const msg = await watch.next((m) => (JSON.parse(m.payload.toString()) as DeadLetter).payload === b64);
    return JSON.parse(msg.payload.toString()) as DeadLetter;
  }

  async function casesOf(v: string): Promise<Case[]> {
    const open = (await stack.http('GET', '/v1/cases?status=open')).body as Case[];
    const closed = (await stack.http('GET', '/v1/cases?status=closed')).body as Case[];
    return [...open, ...closed].filter((c) => c.vin === v);
  }

  it('the lone-surrogate airbag, the 1,100-deep SOS and the 9999 timestamp are dead-lettered with their reasons; another car is served meanwhile, and the same car\'s next airbag opens a case', async () => {
    const before = {
      malformed_unicode: await rejections('malformed_unicode'),
      nesting_too_deep: await rejections('nesting_too_deep'),
      invalid_timestamp: await rejections('invalid_timestamp'),
    };

    // 1. The probe's airbag: `"driver_front\ud800"` as a JSON escape (JSON.stringify writes it so).
    const surrogate = JSON.stringify(validEvent(poisoned, 'airbag', { data: { deployed: ['driver_front\ud800'] } }));
    expect(surrogate).toContain('driver_front\\ud800');
    const l1 = await deadLettered(topics.event(poisoned, 'airbag'), surrogate);
    expect(l1).toMatchObject({ topic: topics.event(poisoned, 'airbag'), reason: 'malformed_unicode', detail: 'lone surrogate at /data/deployed/0' });

    // Another car crashes while the poisoned one is misbehaving: its case reaches the operator feed.
    const crash = validEvent(other, 'airbag');
    await car.publish(topics.event(other, 'airbag'), JSON.stringify(crash));

    // 2. The probe's SOS: data nested 1,100 levels (cjson stops at 1000).
    const deep = `{"v":1,"eventId":"POISONDEEP1","vin":"${poisoned}","type":"sos","ts":"${new Date().toISOString()}","position":null,"data":${'{"a":'.repeat(1_100)}1${'}'.repeat(1_100)}}`;
    expect(deep.length).toBeLessThan(stack.config.MAX_PAYLOAD_BYTES);
    const l2 = await deadLettered(topics.event(poisoned, 'sos'), deep);
    expect(l2.reason).toBe('nesting_too_deep');
    expect(l2.detail).toMatch(new RegExp(`^deeper than ${MAX_JSON_DEPTH} at /data(/a)+$`));

    // 3. The probe's impossible time.
    const late = JSON.stringify(validEvent(poisoned, 'airbag', { ts: '9999-99-99T99:99:99.999Z' }));
    const l3 = await deadLettered(topics.event(poisoned, 'airbag'), late);
    expect(l3).toMatchObject({ reason: 'invalid_timestamp', detail: expect.stringMatching(/^\/ts: /) });

    // Each counted once under its reason; none opened a case or touched the car's state.
    expect(await rejections('malformed_unicode')).toBe(before.malformed_unicode + 1);
    expect(await rejections('nesting_too_deep')).toBe(before.nesting_too_deep + 1);
    expect(await rejections('invalid_timestamp')).toBe(before.invalid_timestamp + 1);
    const otherOpened = await feed.next<{ type: 'case.opened'; case: Case }>((m) => m.type === 'case.opened' && m.case.eventId === crash.eventId);
    expect(otherOpened.case).toMatchObject({ vin: other, trigger: 'airbag', status: 'open' });
    expect(await casesOf(poisoned)).toEqual([]);
    expect((await stack.http('GET', `/v1/vehicles/${poisoned}/lockout`)).body).toMatchObject({ active: false });

    // The same car's next valid airbag goes through the Lua scripts that read its record: a case opens.
    const good = validEvent(poisoned, 'airbag');
    await car.publish(topics.event(poisoned, 'airbag'), JSON.stringify(good));
    const opened = await feed.next<{ type: 'case.opened'; case: Case }>((m) => m.type === 'case.opened' && m.case.eventId === good.eventId);
    expect(opened.case).toMatchObject({ vin: poisoned, trigger: 'airbag', status: 'open' });
    poisonedCase = opened.case;
    const read = await stack.http('GET', `/v1/cases/${poisonedCase.id}`);
    expect(read.status).toBe(200);
    expect(read.body.eventId).toBe(good.eventId);
    expect((await stack.http('GET', `/v1/vehicles/${poisoned}/lockout`)).body).toMatchObject({ vin: poisoned, active: true });
    expect((await casesOf(poisoned)).map((c) => c.eventId)).toEqual([good.eventId]);
  });

  it('an operator\'s close with a lone-surrogate note answers 400 malformed_unicode; the case stays readable and closes with a real note', async () => {
    const id = poisonedCase.id;
    expect((await stack.http('POST', `/v1/cases/${id}/answer`, {})).status).toBe(200);
    expect((await stack.http('POST', `/v1/cases/${id}/hangup`, {})).status).toBe(200);

    // The call is cleared, so the close would otherwise succeed: only the note refuses it.
    const bad = await stack.http('POST', `/v1/cases/${id}/close`, '{"resolution":"other","note":"driver said \\ud800"}');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: 'malformed_unicode', message: expect.stringContaining('/note') });
    const deep = await stack.http('POST', `/v1/cases/${id}/close`, `{"resolution":"other","x":${'['.repeat(1_100)}${']'.repeat(1_100)}}`);
    expect(deep.status).toBe(400);
    expect(deep.body).toMatchObject({ error: 'nesting_too_deep' });

    const still = await stack.http('GET', `/v1/cases/${id}`);
    expect(still.status).toBe(200);
    expect(still.body).toMatchObject({ id, status: 'open' });
    expect(still.body.note).toBeUndefined();

    const closed = await stack.http('POST', `/v1/cases/${id}/close`, { resolution: 'advice_given', note: '運転手と通話済み 🚗' });
    expect(closed.status).toBe(200);
    const after = await stack.http('GET', `/v1/cases/${id}`);
    expect(after.body).toMatchObject({ id, status: 'closed', resolution: 'advice_given', note: '運転手と通話済み 🚗' });
    expect((await stack.http('GET', `/v1/vehicles/${poisoned}/commands`)).status).toBe(200);
  });
});
