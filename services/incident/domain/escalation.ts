import type { Case } from '../../../protocol/index.js';
import { Changes } from './changes.js';
import type { DecideContext, Decision, VehicleAggregate } from './state.js';

/** ANSWER_TARGET_S of the case's priority, in ms (contract "Answer targets"; P1, P2, P3). */
export function answerTargetMs(priority: Case['priority'], targetsS: readonly number[]): number {
  return (targetsS[priority - 1] ?? targetsS.at(-1) ?? 0) * 1000;
}

/** When a case still ringing is escalated: its opening plus its priority's target (a raised priority brings it forward). */
export function escalationDueAt(c: Pick<Case, 'priority' | 'openedAt'>, targetsS: readonly number[]): number {
  return Date.parse(c.openedAt) + answerTargetMs(c.priority, targetsS);
}

/**
 * Contract "Answer targets" (NFPA 1225: 90% answered in 10 s): a case whose call still rings past its
 * priority's target is escalated once: `escalatedAt` on the case, `case.updated` and `case.escalated` on
 * the feed. Decided on the stored state, so a second firing (another instance, a late timer) changes
 * nothing: not yet due, answered, cleared, closed or already escalated is a no-op.
 */
export function decideEscalation(aggregate: VehicleAggregate, caseId: string, ctx: DecideContext, targetsS: readonly number[]): Decision {
  const ch = new Changes(aggregate, ctx);
  const c = ch.case(caseId);
  if (!c || c.status !== 'open' || c.escalatedAt !== undefined || c.test) return ch.finish(`case ${caseId}: nothing to escalate`);
  const session = ch.session(c.sessionId);
  if (!session || session.state !== 'ringing') return ch.finish(`case ${caseId}: the call is not ringing`);
  const due = escalationDueAt(c, targetsS);
  if (ch.now < due) return ch.finish(`case ${caseId}: not due before ${new Date(due).toISOString()}`);
  const escalated: Case = { ...c, escalatedAt: ch.at };
  ch.putCase(escalated);
  ch.extraFeed({
    type: 'case.escalated',
    at: ch.at,
    caseId: c.id,
    vin: c.vin,
    priority: c.priority,
    targetSeconds: answerTargetMs(c.priority, targetsS) / 1000,
    ringingSeconds: (ch.now - Date.parse(c.openedAt)) / 1000,
    case: escalated,
  });
  return ch.finish(`case ${c.id} escalated: priority ${c.priority} call unanswered past its ${answerTargetMs(c.priority, targetsS) / 1000} s target`);
}
