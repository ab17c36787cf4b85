import { Changes } from './changes.js';
import { refuse, type Refusal } from './refusal.js';
import type { DecideContext, Decision, VehicleAggregate } from './state.js';

/**
 * Issue 11: a case's operator lets it go, or a supervisor takes it from the operator who holds it (an
 * operator away from the desk, a call to be handed over). The call is untouched: a connected call stays
 * connected, and the next operator to answer takes it over without reconnecting it (operator-actions.ts).
 */
export interface ReleaseRequest {
  caseId: string;
  /** Who releases it (the audit's operator). */
  by: string;
  /** A supervisor or admin (or anyone with AUTH=off) may release a case another operator holds. */
  mayReleaseOthers: boolean;
}

export function decideRelease(aggregate: VehicleAggregate, request: ReleaseRequest, ctx: DecideContext): Decision | Refusal {
  const ch = new Changes(aggregate, ctx);
  const c = ch.case(request.caseId);
  if (!c || c.status !== 'open') return refuse('case_closed', 'the case is closed', {});
  // Nobody holds it: nothing to do (a noop, so nothing is committed or audited).
  if (c.operatorId === undefined) return ch.finish(`case ${c.id} was not held`);
  if (c.operatorId !== request.by && !request.mayReleaseOthers) {
    return refuse('case_taken', `operator ${c.operatorId} has this case; a supervisor may release it`, { operatorId: c.operatorId });
  }
  const { operatorId: holder, ...released } = c;
  ch.putCase(released);
  return ch.finish(`case ${c.id} released from ${holder} by ${request.by}`);
}
