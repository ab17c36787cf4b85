import type { Case } from '../../../protocol/index.js';
import { clearCall } from './calls.js';
import { Changes } from './changes.js';
import { holdLockout } from './lockout.js';
import { refuse, type Refusal } from './refusal.js';
import type { DecideContext, Decision, VehicleAggregate } from './state.js';
import { caseFeatures } from './triggers.js';

export type OperatorAction =
  | { kind: 'answer'; caseId: string; operatorId: string }
  | { kind: 'hangup'; caseId: string; operatorId: string }
  | { kind: 'callback'; caseId: string; operatorId: string }
  | { kind: 'close'; caseId: string; operatorId: string; resolution: string; note?: string };

/** decide(action, state): an operator working a case. The case must be one of the aggregate's open cases. */
export function decideOperatorAction(aggregate: VehicleAggregate, action: OperatorAction, ctx: DecideContext): Decision | Refusal {
  const ch = new Changes(aggregate, ctx);
  const c = ch.case(action.caseId);
  if (!c || c.status !== 'open') return refuse('case_closed', 'the case is closed', {});
  if (c.operatorId !== undefined && c.operatorId !== action.operatorId) {
    return refuse('case_taken', `operator ${c.operatorId} has this case`, { operatorId: c.operatorId });
  }
  const session = ch.session(c.sessionId)!;
  const mine: Case = { ...c, operatorId: action.operatorId };

  switch (action.kind) {
    case 'answer': {
      // Idempotent for the operator who has it; a cleared call is taken over without reconnecting it.
      if (c.operatorId === action.operatorId && session.state !== 'ringing') return ch.finish('already answered');
      // Contract "Answer targets": the first answer of the ringing call is the case's answer time.
      ch.putCase(session.state === 'ringing' && c.answeredAt === undefined ? { ...mine, answeredAt: ch.at } : mine);
      if (session.state === 'ringing') {
        ch.putSession({ ...session, state: 'connected', connectedAt: ch.at });
        ch.command({ cmd: 'call.state', sessionId: session.id, state: 'connected', audioMuted: true });
      }
      return ch.finish(`case ${c.id} answered by ${action.operatorId}`);
    }
    case 'hangup': {
      // D2.2: the operator may clear any call, auto-notification calls included.
      if (session.state === 'cleared') return refuse('call_not_active', 'the call is already cleared', {});
      ch.putCase(mine);
      clearCall(ch, session, 'operator');
      return ch.finish(`call of case ${c.id} cleared by ${action.operatorId}`);
    }
    case 'callback': {
      // D2.6: call-back only after clear-down. The car's unit answers call-backs itself (as in eCall),
      // so the call is connected at once, and the line is busy again: the trigger's lockout holds (D3.4).
      if (session.state !== 'cleared') return refuse('call_active', 'call back only after the call is cleared (D2.6)', {});
      // One call at a time: the car is in another call (a later emergency); its line is not free (D3.4).
      const other = ch.liveSessions().find((s) => s.id !== session.id && ch.case(s.caseId)?.test === c.test);
      if (other) return refuse('call_active', `the car is in another call (case ${other.caseId}): call back once it is cleared (one call at a time)`, {});
      ch.putCase(mine);
      const { clearedAt: _a, clearedBy: _b, ...rest } = session;
      ch.putSession({ ...rest, state: 'connected', audioMuted: true, connectedAt: ch.at, callbacks: [...session.callbacks, { at: ch.at, operatorId: action.operatorId }] });
      // Every trigger that joined the call locks its features again (one call at a time, D3.1, D3.2).
      ch.setLockout(holdLockout(ch.vehicle.lockout, session.id, caseFeatures(c), ch.now));
      ch.command({ cmd: 'callback', sessionId: session.id });
      ch.command({ cmd: 'call.state', sessionId: session.id, state: 'connected', audioMuted: true });
      return ch.finish(`case ${c.id}: ${action.operatorId} called the car back (D2.6)`);
    }
    case 'close': {
      if (session.state !== 'cleared') return refuse('call_active', 'clear the call before closing the case', {});
      ch.putCase({ ...mine, status: 'closed', closedAt: ch.at, resolution: action.resolution, ...(action.note ? { note: action.note } : {}) }, 'case.closed');
      return ch.finish(`case ${c.id} closed by ${action.operatorId}: ${action.resolution}`);
    }
  }
}
