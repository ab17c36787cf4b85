import { describe, expect, it } from 'vitest';
import { isRejection, type Decision, type OperatorAction, type Rejection } from '../../services/incident/domain/index.js';
import { DomainPipeline, MINUTE, VIN, accepted, commandsOf, event } from '../helpers/domain-pipeline.js';

function rejection(d: Decision | Rejection): string | undefined {
  return isRejection(d) ? d.rejected : undefined;
}

async function givenOpenCase(trigger: 'airbag' | 'sos' = 'airbag') {
  const p = new DomainPipeline();
  await p.event(event(trigger));
  const [c] = await p.store.listCases('open');
  return { p, caseId: c!.id, sessionId: c!.sessionId };
}

describe('operator actions', () => {
  it('contract: answer: the session becomes connected, the case is the operator’s, the car is told (still muted)', async () => {
    const { p, caseId, sessionId } = await givenOpenCase();
    await p.advance(MINUTE);
    const d = accepted(await p.act(VIN, { kind: 'answer', caseId, operatorId: 'op-1' }));
    expect(await p.store.getCase(caseId)).toMatchObject({ operatorId: 'op-1', status: 'open' });
    expect(await p.store.getSession(sessionId)).toMatchObject({ state: 'connected', connectedAt: '2026-11-21T10:01:00.000Z' });
    expect(commandsOf(d.commands, 'call.state')).toEqual([{ cmd: 'call.state', sessionId, state: 'connected', audioMuted: true }]);
    expect(d.feed.map((m) => m.type)).toEqual(['case.updated', 'session.updated']);
  });

  it('contract: answer by a second operator is refused with case_taken naming the first, and nothing changes', async () => {
    const { p, caseId } = await givenOpenCase();
    accepted(await p.act(VIN, { kind: 'answer', caseId, operatorId: 'op-1' }));
    const version = (await p.load()).vehicle.version;
    const r = await p.act(VIN, { kind: 'answer', caseId, operatorId: 'op-2' });
    expect(isRejection(r) && r).toMatchObject({ rejected: 'case_taken', details: { operatorId: 'op-1' } });
    expect((await p.store.getCase(caseId))?.operatorId).toBe('op-1');
    expect((await p.load()).vehicle.version).toBe(version);
  });

  it.each(['hangup', 'callback', 'close'] as const)('contract: %s by an operator who does not have the case is refused with case_taken', async (kind) => {
    const { p, caseId } = await givenOpenCase();
    accepted(await p.act(VIN, { kind: 'answer', caseId, operatorId: 'op-1' }));
    const action = { kind, caseId, operatorId: 'op-2', resolution: 'x' } as OperatorAction;
    expect(rejection(await p.act(VIN, action))).toBe('case_taken');
  });

  it('contract: answering again by the same operator is a no-op (no second call.state, no feed message)', async () => {
    const { p, caseId } = await givenOpenCase();
    accepted(await p.act(VIN, { kind: 'answer', caseId, operatorId: 'op-1' }));
    const feedBefore = p.feed.length;
    const again = accepted(await p.act(VIN, { kind: 'answer', caseId, operatorId: 'op-1' }));
    expect(again.commands).toEqual([]);
    expect(p.feed.length).toBe(feedBefore);
  });

  it('contract: answering a case whose call the car already ended takes the case without reconnecting the call', async () => {
    const { p, caseId, sessionId } = await givenOpenCase('sos');
    await p.event(event('trouble')); // D2.3: the car hangs up before anyone answers
    const d = accepted(await p.act(VIN, { kind: 'answer', caseId, operatorId: 'op-1' }));
    expect((await p.store.getCase(caseId))?.operatorId).toBe('op-1');
    expect((await p.store.getSession(sessionId))?.state).toBe('cleared');
    expect(commandsOf(d.commands, 'call.state')).toEqual([]);
  });

  it('contract: hangup of a call already cleared is refused with call_not_active', async () => {
    const { p, caseId } = await givenOpenCase();
    accepted(await p.act(VIN, { kind: 'hangup', caseId, operatorId: 'op-1' }));
    expect(rejection(await p.act(VIN, { kind: 'hangup', caseId, operatorId: 'op-1' }))).toBe('call_not_active');
  });

  it('contract: close needs the call cleared: refused with call_active while it lives, accepted after hangup', async () => {
    const { p, caseId } = await givenOpenCase();
    accepted(await p.act(VIN, { kind: 'answer', caseId, operatorId: 'op-1' }));
    expect(rejection(await p.act(VIN, { kind: 'close', caseId, operatorId: 'op-1', resolution: 'resolved' }))).toBe('call_active');
    expect((await p.store.getCase(caseId))?.status).toBe('open');

    accepted(await p.act(VIN, { kind: 'hangup', caseId, operatorId: 'op-1' }));
    await p.advance(2 * MINUTE);
    const d = accepted(await p.act(VIN, { kind: 'close', caseId, operatorId: 'op-1', resolution: 'ambulance_dispatched', note: 'driver conscious' }));
    expect(await p.store.getCase(caseId)).toMatchObject({
      status: 'closed',
      closedAt: '2026-11-21T10:02:00.000Z',
      resolution: 'ambulance_dispatched',
      note: 'driver conscious',
    });
    expect(d.feed.map((m) => m.type)).toEqual(['case.closed']);
    expect(await p.store.listCases('open')).toEqual([]);
    expect((await p.store.listCases('closed')).map((c) => c.id)).toEqual([caseId]);
  });

  it('contract: closing a case does not end the lockout: the 60 minutes after clear-down still run (D3.5)', async () => {
    const { p, caseId } = await givenOpenCase();
    accepted(await p.act(VIN, { kind: 'hangup', caseId, operatorId: 'op-1' }));
    accepted(await p.act(VIN, { kind: 'close', caseId, operatorId: 'op-1', resolution: 'resolved' }));
    expect(await p.lockout()).toMatchObject({ active: true, until: '2026-11-21T11:00:00.000Z' });
  });

  it.each(['answer', 'hangup', 'callback', 'close'] as const)('contract: %s on a closed case is refused with case_closed', async (kind) => {
    const { p, caseId } = await givenOpenCase();
    accepted(await p.act(VIN, { kind: 'hangup', caseId, operatorId: 'op-1' }));
    accepted(await p.act(VIN, { kind: 'close', caseId, operatorId: 'op-1', resolution: 'resolved' }));
    const action = { kind, caseId, operatorId: 'op-1', resolution: 'again' } as OperatorAction;
    expect(rejection(await p.act(VIN, action))).toBe('case_closed');
  });

  it('contract: an action on a case that is not one of the car’s open cases is refused with case_closed', async () => {
    const { p } = await givenOpenCase();
    expect(rejection(await p.act(VIN, { kind: 'answer', caseId: 'no-such-case', operatorId: 'op-1' }))).toBe('case_closed');
  });

  it('D3.5 a call-back holds the lockout open again and restarts the 60 minutes at its clear-down', async () => {
    const { p, caseId } = await givenOpenCase();
    accepted(await p.act(VIN, { kind: 'hangup', caseId, operatorId: 'op-1' }));
    await p.advance(50 * MINUTE);
    accepted(await p.act(VIN, { kind: 'callback', caseId, operatorId: 'op-1' }));
    expect(await p.lockout()).toMatchObject({ active: true, until: null });
    await p.advance(5 * MINUTE);
    accepted(await p.act(VIN, { kind: 'hangup', caseId, operatorId: 'op-1' }));
    expect((await p.lockout()).until).toBe('2026-11-21T11:55:00.000Z');
  });
});
