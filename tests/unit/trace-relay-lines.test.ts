import { describe, expect, it } from 'vitest';
import { topics, type AuditEntry, type Case, type TraceOperatorLine } from '../../protocol/index.js';
import { operatorRequest } from '../../qa/trace/operator-request.js';
import { lineFor } from '../../qa/trace/lines.js';
import { parseTrace, TraceFileError } from '../../qa/trace/reader.js';
import { operatorTopicMessage } from '../../services/audit/operator-topic.js';

const header = { format: 'anshin-trace', version: 1, startedAt: '2026-11-21T09:00:00.000Z', project: { name: 'anshin', version: '0.1.0' }, config: { LOCKOUT_MINUTES: 60, IMPACT_DELTA_V_KMH: 8 } };
const VIN = 'JT2AE92E3K0000001';
const EVENT = '01M7YNAZK84JTD6S3SBFMWH9AQ';
const op = (extra: object) => ({ kind: 'operator', t: 1, wall: '2026-11-21T09:00:02.000Z', vin: VIN, eventId: EVENT, operatorId: 'op-1', ...extra });
const ndjson = (...lines: object[]) => `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`;
const contacts = [{ name: 'Hanako', phone: '090-1234-5678', email: 'hanako@example.jp', emailStatus: 'confirmed' as const }];
const aCase = { id: 'C1', vin: VIN, eventId: EVENT, relays: [{ id: 'R1' }] } as unknown as Case;

function errorOf(text: string): string {
  try {
    parseTrace(text, { name: 'run.ndjson' });
  } catch (err) {
    expect(err).toBeInstanceOf(TraceFileError);
    return (err as Error).message;
  }
  throw new Error('expected a TraceFileError');
}

describe('D4.5 relay lines in traces (issue 12 part 5)', () => {
  it('D4.5 relay and relay_phone_result lines read back; each needs its fields', () => {
    const t = parseTrace(ndjson(header, op({ action: 'relay', message: 'hello', contacts }), op({ action: 'relay_phone_result', relay: 0, answered: false })), { name: 'run.ndjson' });
    expect(t.lines.map((l) => (l as TraceOperatorLine).action)).toEqual(['relay', 'relay_phone_result']);
    expect(errorOf(ndjson(header, op({ action: 'relay' })))).toBe('run.ndjson:2: a relay needs a message');
    expect(errorOf(ndjson(header, op({ action: 'relay_phone_result', relay: 0 })))).toBe('run.ndjson:2: a relay_phone_result needs relay and answered');
    expect(errorOf(ndjson(header, op({ action: 'relay', message: 'x', contacts: [{ name: 'a', token: 't' }] })))).toMatch(/unknown field "token"/);
  });

  it('D4.5 the audit topic carries a relay with its message and contacts, a phone result by the relay place in the case', () => {
    const entry = (action: string, details: Record<string, unknown>): AuditEntry => ({ id: 'A1', at: '2026-11-21T09:00:02.000Z', actor: { kind: 'operator', id: 'op-1' }, action, caseId: 'C1', vin: VIN, details });
    const relay = operatorTopicMessage(entry('relay.create', { operatorId: 'op-1', relayId: 'R1', message: 'hello', contacts }), { ...aCase, relays: [] });
    expect(JSON.parse(relay!.payload)).toMatchObject({ action: 'relay', message: 'hello', contacts, eventId: EVENT });
    const result = operatorTopicMessage(entry('relay.phone_result', { operatorId: 'op-1', relayId: 'R1', answered: true }), aCase);
    expect(JSON.parse(result!.payload)).toMatchObject({ action: 'relay_phone_result', relay: 0, answered: true });
    expect(operatorTopicMessage(entry('relay.phone_result', { relayId: 'NOPE', answered: true }), aCase)).toBeNull();
    expect(operatorTopicMessage(entry('contacts.update', {}), aCase)).toBeNull();
  });

  it('D4.5 to a URL: a relay registers the recorded contacts first; a phone result goes to the relay at that place', () => {
    const relay = operatorRequest(op({ action: 'relay', message: 'hello', contacts }) as TraceOperatorLine, aCase);
    expect(relay).toEqual({
      method: 'POST',
      path: '/v1/cases/C1/relay',
      body: { message: 'hello' },
      before: [{ method: 'PUT', path: `/v1/vehicles/${VIN}/contacts`, body: { contacts: [{ name: 'Hanako', phone: '090-1234-5678', email: 'hanako@example.jp' }] } }],
    });
    expect(operatorRequest(op({ action: 'relay_phone_result', relay: 0, answered: false }) as TraceOperatorLine, aCase)).toEqual({ method: 'POST', path: '/v1/cases/C1/relay/R1/phone-result', body: { answered: false } });
    expect(operatorRequest(op({ action: 'relay_phone_result', relay: 3, answered: false }) as TraceOperatorLine, aCase)).toBeNull();
  });

  it('D4.5 the email outbox is not recorded: it carries tokens and addresses', () => {
    const time = { startMs: 0, t: () => 1, wall: () => '2026-11-21T09:00:02.000Z' };
    expect(lineFor({ topic: topics.outboxEmail, payload: Buffer.from('{"token":"secret"}'), qos: 1, retain: false }, time)).toBeNull();
  });
});
