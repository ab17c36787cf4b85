import { describe, expect, it } from 'vitest';
import { MINUTE } from '../helpers/domain-fixtures.js';
import { domainSpec } from '../helpers/domain-spec.js';
import { after, airbag, operator, sos, trouble } from '../helpers/domain-steps.js';
import { SESSION, call, commands, feed, lockout, queue, refused, theCase, unchanged } from '../helpers/domain-then.js';

describe('operator actions', () => {
  it('contract: answer: the session becomes connected, the case is the operator’s, the car is told (still muted)', async () => {
    await domainSpec()
      .given(airbag(), after(MINUTE))
      .when(operator('answer'))
      .then(
        theCase({ operatorId: 'op-1', status: 'open' }),
        call({ state: 'connected', connectedAt: '2026-11-21T10:01:00.000Z' }),
        commands('call.state', [{ sessionId: SESSION, state: 'connected', audioMuted: true }]),
        feed(['case.updated', 'session.updated']),
      );
  });

  it('contract: answer by a second operator is refused with case_taken naming the first, and nothing changes', async () => {
    await domainSpec()
      .given(airbag(), operator('answer', { by: 'op-1' }))
      .when(operator('answer', { by: 'op-2' }))
      .then(refused('case_taken', { operatorId: 'op-1' }), theCase({ operatorId: 'op-1' }));
  });

  it.each(['hangup', 'callback', 'close'] as const)('contract: %s by an operator who does not have the case is refused with case_taken', async (kind) => {
    await domainSpec()
      .given(airbag(), operator('answer', { by: 'op-1' }))
      .when(operator(kind, { by: 'op-2', resolution: 'x' }))
      .then(refused('case_taken'));
  });

  it('contract: answering again by the same operator is a no-op (no second call.state, no feed message)', async () => {
    await domainSpec()
      .given(airbag(), operator('answer'))
      .when(operator('answer'))
      .then(unchanged(), (o) => expect(o.result.status).toBe('noop'));
  });

  it('contract: answering a case whose call the car already ended takes the case without reconnecting the call', async () => {
    await domainSpec()
      .given(sos(), trouble()) // D2.3: the car hangs up before anyone answers
      .when(operator('answer'))
      .then(theCase({ operatorId: 'op-1' }), call({ state: 'cleared' }), commands('call.state', []));
  });

  it('contract: hangup of a call already cleared is refused with call_not_active', async () => {
    await domainSpec()
      .given(airbag(), operator('hangup'))
      .when(operator('hangup'))
      .then(refused('call_not_active'));
  });

  it('contract: close needs the call cleared: refused with call_active while it lives, accepted after hangup', async () => {
    const spec = domainSpec();
    await spec
      .given(airbag(), operator('answer'))
      .when(operator('close', { resolution: 'resolved' }))
      .then(refused('call_active'), theCase({ status: 'open' }));

    await spec
      .given(operator('hangup'), after(2 * MINUTE))
      .when(operator('close', { resolution: 'ambulance_dispatched', note: 'driver conscious' }))
      .then(
        theCase({ status: 'closed', closedAt: '2026-11-21T10:02:00.000Z', resolution: 'ambulance_dispatched', note: 'driver conscious' }),
        feed(['case.closed']),
        queue([]),
        async (o) => {
          const closed = await o.spec.store.listCases('closed');
          return expect(closed.map((c) => c.id)).toEqual([(await o.spec.caseOf()).id]);
        },
      );
  });

  it('contract: closing a case does not end the lockout: the 60 minutes after clear-down still run (D3.5)', async () => {
    await domainSpec()
      .given(airbag(), operator('hangup'))
      .when(operator('close', { resolution: 'resolved' }))
      .then(lockout({ active: true, until: '2026-11-21T11:00:00.000Z' }));
  });

  it.each(['answer', 'hangup', 'callback', 'close'] as const)('contract: %s on a closed case is refused with case_closed', async (kind) => {
    await domainSpec()
      .given(airbag(), operator('hangup'), operator('close', { resolution: 'resolved' }))
      .when(operator(kind, { resolution: 'again' }))
      .then(refused('case_closed'));
  });

  it('contract: an action on a case that is not one of the car’s open cases is refused with case_closed', async () => {
    await domainSpec()
      .given(airbag())
      .when(operator('answer', { caseId: 'no-such-case' }))
      .then(refused('case_closed'));
  });

  it('D3.5 a call-back holds the lockout open again and restarts the 60 minutes at its clear-down', async () => {
    const spec = domainSpec();
    await spec
      .given(airbag(), operator('hangup'), after(50 * MINUTE))
      .when(operator('callback'))
      .then(lockout({ active: true, until: null }));
    await spec
      .given(after(5 * MINUTE))
      .when(operator('hangup'))
      .then(lockout({ until: '2026-11-21T11:55:00.000Z' }));
  });
});
