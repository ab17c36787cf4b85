/**
 * Issue 14 part 2, extension `POST /v1/cases/{id}/notes {text}`: the case carries `notes: [{at,
 * operatorId, text}]`, `case.updated` on the feed, `case.note` in the audit; with the memory store and
 * with Redis (the note lives in the case record, so both adapters keep it through the same commit).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { topics, type AuditEntry, type Case } from '../../protocol/index.js';
import { RawMqttClient, validEvent } from '../helpers/raw-mqtt.js';
import { testRedis, uniquePrefix, type TestRedis } from '../helpers/redis.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';
import { vin } from '../helpers/vins.js';

type CaseMessage = { type: string; case: Case };

function notesSuite(name: string, config: () => Record<string, unknown>) {
  describe(`case notes (${name})`, () => {
    let stack: TestStack | undefined;
    let car: RawMqttClient | undefined;
    afterEach(async () => {
      await car?.end();
      await stack?.close();
      car = stack = undefined;
    });

    it('POST notes -> 201, the case carries them in order, the feed shows them, the audit records case.note; refusals', async () => {
      stack = await startTestStack({ config: config() });
      car = await RawMqttClient.connect(stack.mqttUrl);
      const feed = await stack.feed();
      const v = vin(1401);
      const e = validEvent(v, 'airbag');
      await car.publish(topics.event(v, 'airbag'), JSON.stringify(e));
      const c = (await feed.next<CaseMessage>((m) => m.type === 'case.opened' && (m as CaseMessage).case.eventId === e.eventId)).case;

      const first = await stack.http('POST', `/v1/cases/${c.id}/notes`, { text: '運転者の応答なし。同乗者が通報。' });
      expect(first.status).toBe(201);
      expect((first.body as Case).notes).toEqual([{ at: expect.any(String), operatorId: 'op-1', text: '運転者の応答なし。同乗者が通報。' }]);
      const pushed = await feed.next<CaseMessage>((m) => m.type === 'case.updated' && ((m as CaseMessage).case.notes?.length ?? 0) === 1);
      expect(pushed.case.notes![0]!.text).toBe('運転者の応答なし。同乗者が通報。');
      expect((await stack.http('POST', `/v1/cases/${c.id}/notes`, { text: 'second' })).status).toBe(201);
      const stored = (await stack.http('GET', `/v1/cases/${c.id}`)).body as Case;
      expect(stored.notes!.map((n) => n.text)).toEqual(['運転者の応答なし。同乗者が通報。', 'second']);

      const audit = (await stack.http('GET', `/v1/audit?caseId=${c.id}`)).body as { entries: AuditEntry[] };
      const notes = audit.entries.filter((x) => x.action === 'case.note');
      expect(notes).toHaveLength(2);
      expect(notes[1]).toMatchObject({ actor: { kind: 'operator', id: 'op-1' }, caseId: c.id, vin: v, details: { operatorId: 'op-1', text: '運転者の応答なし。同乗者が通報。' } });

      expect((await stack.http('POST', `/v1/cases/${c.id}/notes`, { text: '' })).status).toBe(400);
      expect((await stack.http('POST', `/v1/cases/${c.id}/notes`, { text: 'x'.repeat(2001) })).status).toBe(400);
      expect(await stack.http('POST', '/v1/cases/NOSUCHCASE/notes', { text: 'x' })).toMatchObject({ status: 404, body: { error: 'case_not_found' } });
      expect((await stack.http('POST', `/v1/cases/${c.id}/answer`, {}, { 'x-operator-id': 'op-2' })).status).toBe(200);
      expect(await stack.http('POST', `/v1/cases/${c.id}/notes`, { text: 'x' })).toMatchObject({ status: 409, body: { error: 'case_taken', operatorId: 'op-2' } });
      expect((await stack.http('POST', `/v1/cases/${c.id}/notes`, { text: 'by the holder' }, { 'x-operator-id': 'op-2' })).status).toBe(201);
    });
  });
}

notesSuite('memory store', () => ({}));

describe('with Redis', () => {
  let redis: TestRedis;
  const holder: { url?: string } = {};
  beforeAll(async () => {
    redis = await testRedis();
    holder.url = redis.url;
  });
  afterAll(async () => redis?.close());
  notesSuite('Redis store', () => ({ REDIS_URL: holder.url, REDIS_KEY_PREFIX: uniquePrefix('notes') }));
});
