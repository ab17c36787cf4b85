import type { Agency, Dispatch } from '../../../protocol/index.js';
import { Changes } from './changes.js';
import { isOpenDispatch, lastKnownOf, newDispatch, workableCase } from './dispatches.js';
import type { DealerList } from './destinations.js';
import { refuse, type Refusal } from './refusal.js';
import type { DecideContext, Decision, VehicleAggregate } from './state.js';
import { triggersOf } from './triggers.js';

/** D4.2: the agencies a silent emergency call gets, at once; D4.3: a doctor helicopter when the severity recommends it. */
export function noResponseAgencies(recommend: readonly string[] = []): Agency[] {
  return recommend.includes('doctor_heli') ? ['fire_ambulance', 'police', 'doctor_heli'] : ['fire_ambulance', 'police'];
}

/**
 * D4.2 (contract "No response"): nobody answers in an emergency call (airbag, impact, SOS: any of the
 * case's triggers), so the operator sends fire/ambulance and police at once to the car's last known
 * position, and a doctor helicopter when the case's severity recommends one (D4.3). A trouble case is
 * refused (`not_an_emergency`). Idempotent: an agency that already has an unfinished dispatch on the case
 * is not sent again, so a second press creates nothing (a no-op: nothing committed, nothing audited);
 * an agency whose dispatch was completed or cancelled is sent again.
 */
export function decideNoResponse(aggregate: VehicleAggregate, request: { caseId: string; operatorId: string }, ctx: DecideContext, dealers: DealerList): Decision | Refusal {
  const ch = new Changes(aggregate, ctx);
  const c = workableCase(ch, request.caseId, request.operatorId);
  if ('refused' in c) return c;
  if (!triggersOf(c).some((t) => t.type !== 'trouble')) return refuse('not_an_emergency', 'no-response dispatching is for airbag, impact and SOS calls (D4.2)', { trigger: c.trigger });
  const existing = c.dispatches ?? [];
  const position = lastKnownOf(c);
  const created: Dispatch[] = [];
  for (const agency of noResponseAgencies(c.severity?.recommend)) {
    if (existing.some((d) => d.agency === agency && isOpenDispatch(d))) continue;
    created.push(newDispatch(ch, c, { agency, operatorId: request.operatorId }, position, dealers, { noResponse: true }));
  }
  if (created.length === 0) return ch.finish(`case ${c.id}: no response again; every agency is already on its way`);
  ch.putCase({ ...c, dispatches: [...existing, ...created] });
  return ch.finish(`case ${c.id}: no response (D4.2): ${request.operatorId} dispatched ${created.map((d) => d.agency).join(', ')}`);
}
