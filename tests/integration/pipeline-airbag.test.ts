import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCommand } from '../../simulator/car/index.js';
import type { Case } from '../../protocol/index.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';
import { vin } from '../helpers/vins.js';

describe('airbag path, as the car and the operator see it (embedded broker, real sockets)', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => stack.close());

  it('D1.1 D2.1 D2.2 D2.5 D3.1 D3.5: crash -> case on the feed -> answer -> hangup -> lockout countdown -> close', async () => {
    const feed = await stack.feed();
    await feed.next((m) => m.type === 'snapshot');
    const car = await stack.car(vin(1));

    const eventId = await car.airbag({ data: { deployed: ['driver_front'], deltaVKmh: 40 } });
    const opened = await feed.next<{ type: 'case.opened'; case: Case; seq: number }>((m) => m.type === 'case.opened');
    expect(opened.case).toMatchObject({ vin: vin(1), trigger: 'airbag', priority: 1, status: 'open', eventId, test: false });
    expect(opened.case.lockout).toMatchObject({ active: true, until: null });
    expect(opened.case.lockout.features.sort()).toEqual(['remote_operations', 'security_alarm', 'trouble_button']);

    // D2.5: the car is told the call rings, audio muted; D3.1: the lockout arrives retained and as a command.
    await car.signals.waitFor(isCommand('call.state', (c) => c.state === 'ringing' && c.audioMuted));
    await car.signals.waitFor((s) => s.kind === 'lockout' && s.lockout.active);
    expect(car.state.audioMuted).toBe(true);

    // D3.1: remote operations are refused with 423 and Retry-After while the call holds the lockout.
    const refused = await stack.http('POST', `/v1/vehicles/${vin(1)}/remote-operations`, { operation: 'door_unlock' });
    expect(refused.status).toBe(423);
    expect(refused.body).toMatchObject({ error: 'locked_out', feature: 'remote_operations', until: null });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(3600);

    // D2.2: the car cannot hang up an auto call: its trouble press is refused with a notice.
    await car.pressTrouble();
    await car.signals.waitFor(isCommand('notice', (c) => c.code === 'hangup_rejected'));

    const answered = await stack.http('POST', `/v1/cases/${opened.case.id}/answer`, {});
    expect(answered.status).toBe(200);
    expect(answered.body.operatorId).toBe('op-1');
    await car.signals.waitFor(isCommand('call.state', (c) => c.state === 'connected'));
    const taken = await stack.http('POST', `/v1/cases/${opened.case.id}/answer`, {}, { 'x-operator-id': 'op-2' });
    expect(taken.status).toBe(409);
    expect(taken.body.error).toBe('case_taken');

    const hungUp = await stack.http('POST', `/v1/cases/${opened.case.id}/hangup`, {});
    expect(hungUp.status).toBe(200);
    await car.signals.waitFor(isCommand('call.state', (c) => c.state === 'cleared' && !c.audioMuted));
    const session = await stack.http('GET', `/v1/sessions/${opened.case.sessionId}`);
    expect(session.body).toMatchObject({ state: 'cleared', clearedBy: 'operator', hangupPolicy: 'operator_only', audioMuted: false });

    // D3.5: after clear-down the lockout runs 60 minutes from the clear-down.
    const lockout = await stack.http('GET', `/v1/vehicles/${vin(1)}/lockout`);
    expect(lockout.body.active).toBe(true);
    expect(Date.parse(lockout.body.until) - Date.parse(session.body.clearedAt)).toBe(60 * 60_000);
    await car.signals.waitFor((s) => s.kind === 'lockout' && s.lockout.until !== null);

    const closed = await stack.http('POST', `/v1/cases/${opened.case.id}/close`, { resolution: 'emergency_dispatched' });
    expect(closed.status).toBe(200);
    await feed.next((m) => m.type === 'case.closed');
    const open = await stack.http('GET', '/v1/cases?status=open');
    expect(open.body).toEqual([]);

    // One increasing seq across the whole feed.
    const seqs = feed.messages.map((m) => m.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
  });
});
