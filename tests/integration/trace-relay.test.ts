/**
 * Issue 12 part 5 (D4.5), traces: a relay and its phone result are operator lines (from the audit,
 * through `v1/audit/operator-actions`), the relay line with the car's contacts as they were; an
 * in-process replay registers and confirms them and reproduces the relay and its call-back email; a
 * replay to a URL performs the same requests on another stack.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { topics, type Case, type OutboxEmail, type Relay, type TraceOperatorLine } from '../../protocol/index.js';
import { SystemClock } from '../../lib/clock/index.js';
import { readTraceFile } from '../../qa/trace/reader.js';
import { recordEmbedded } from '../../qa/trace/record-embedded.js';
import { replayTrace } from '../../qa/trace/replay.js';
import { replayToUrl } from '../../qa/trace/replay-url.js';
import { RawMqttClient, validEvent } from '../helpers/raw-mqtt.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';
import { vin } from '../helpers/vins.js';

const HANAKO = { name: 'Hanako', phone: '090-1234-5678', email: 'hanako@example.jp' };
const shape = (r: Relay | Record<string, unknown>) => {
  const x = r as Relay;
  return { status: x.status, message: x.message, contactName: x.contactName, requestedBy: x.requestedBy, attempts: x.attempts.map((a) => [a.channel, a.to, a.result]) };
};

describe('trace record and replay of relays (issue 12 part 5, D4.5)', () => {
  const stacks: TestStack[] = [];
  let car: RawMqttClient;
  let listener: RawMqttClient;
  afterAll(async () => {
    await car?.end();
    await listener?.end();
    for (const s of stacks) await s.close();
  });

  it('D4.5 relay and relay_phone_result lines are recorded; replays reproduce the relay, its attempts and the call-back email', async () => {
    const stack = await startTestStack();
    stacks.push(stack);
    const file = join(mkdtempSync(join(tmpdir(), 'anshin-relay-trace-')), 'trace.ndjson');
    const recording = recordEmbedded(stack, file);
    listener = await RawMqttClient.connect(stack.mqttUrl);
    await listener.subscribe([topics.outboxEmail]);
    const v = vin(1540);
    expect((await stack.http('PUT', `/v1/vehicles/${v}/contacts`, { contacts: [HANAKO] })).status).toBe(200);
    const mail = await listener.next((m) => m.topic === topics.outboxEmail);
    const { token } = JSON.parse(mail.payload.toString()) as OutboxEmail & { token: string };
    expect((await stack.http('POST', '/v1/contacts/confirm', { token })).status).toBe(200);

    const feed = await stack.feed();
    car = await RawMqttClient.connect(stack.mqttUrl);
    const e = validEvent(v, 'trouble');
    await car.publish(topics.event(v, 'trouble'), JSON.stringify(e));
    const c = (await feed.next<{ type: string; case: Case }>((m) => m.type === 'case.opened')).case;
    expect((await stack.http('POST', `/v1/cases/${c.id}/dispatches`, { agency: 'road_service' })).status).toBe(201);
    const r = (await stack.http('POST', `/v1/cases/${c.id}/relay`, { message: 'Tow truck in 30 minutes' })).body as Relay;
    expect((await stack.http('POST', `/v1/cases/${c.id}/relay/${r.id}/phone-result`, { answered: false })).status).toBe(200);
    await expect.poll(() => readFileSync(file, 'utf8').includes('"relay_phone_result"')).toBe(true);
    await recording.stop();

    const trace = await readTraceFile(file, { strict: true });
    const ops = trace.lines.filter((l): l is TraceOperatorLine => l.kind === 'operator');
    expect(ops.map((l) => l.action)).toEqual(['dispatch', 'relay', 'relay_phone_result']);
    expect(ops[1]).toMatchObject({ message: 'Tow truck in 30 minutes', contacts: [{ ...HANAKO, emailStatus: 'confirmed' }] });
    expect(ops[2]).toMatchObject({ relay: 0, answered: false });
    // The email outbox is not recorded: its messages carry tokens (credentials) and addresses.
    expect(trace.lines.some((l) => l.kind === 'mqtt' && l.topic === topics.outboxEmail)).toBe(false);
    expect(readFileSync(file, 'utf8')).not.toContain(token);

    const live = ((await stack.http('GET', `/v1/cases/${c.id}`)).body as Case).relays!;
    const { outcome } = await replayTrace(trace);
    const replayed = outcome.cases[0]!.relays as Record<string, unknown>[];
    expect(replayed.map(shape)).toEqual(live.map(shape));
    expect(replayed.map((x) => x.id)).toEqual(['relay-1']);
    expect(outcome.operatorActions.map((a) => [a.action, a.result])).toEqual([
      ['dispatch', 'ok'],
      ['relay', 'ok'],
      ['relay_phone_result', 'ok'],
    ]);
    expect(outcome.emails?.map((m) => [m.kind, m.to])).toEqual([
      ['contact_confirmation', HANAKO.email],
      ['relay_callback_request', HANAKO.email],
    ]);

    // To a URL: the contacts are registered there too, but the address cannot be confirmed (its token
    // goes to the mailbox): the unanswered call ends unreachable on that stack.
    const other = await startTestStack();
    stacks.push(other);
    const otherFeed = await other.feed();
    const summary = await replayToUrl(trace, { url: other.mqttUrl, httpUrl: other.httpUrl, speed: 'max', loops: 1, wallClock: new SystemClock() });
    expect(summary).toMatchObject({ operatorOk: 3, operatorFailed: 0 });
    const there = (await otherFeed.next<{ type: string; case: Case }>((m) => m.type === 'case.updated' && m.case.relays?.[0]?.status !== undefined && m.case.relays[0].status !== 'pending')).case;
    expect(there.relays!.map(shape)).toEqual([{ ...shape(live[0]!), status: 'unreachable', attempts: [['phone', HANAKO.phone, 'not_answered']] }]);
    expect((await other.http('GET', `/v1/vehicles/${v}/contacts`)).body.contacts).toEqual([{ ...HANAKO, emailStatus: 'provisional' }]);
  });
});
