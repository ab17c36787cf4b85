import type { CaseNote } from '../../../protocol/index.js';
import { Changes } from './changes.js';
import { workableCase } from './dispatches.js';
import type { Refusal } from './refusal.js';
import type { DecideContext, Decision, VehicleAggregate } from './state.js';

/** What an operator writes on a case (extension `POST /v1/cases/{id}/notes`, issue 14 part 2). */
export interface NoteRequest {
  caseId: string;
  operatorId: string;
  text: string;
}

/**
 * Issue 14 part 2: a note on the case, kept on the case record (`notes`, oldest first) with its time and
 * operator, so it commits through the same version-checked commit as every other change to the car
 * (`case.updated` on the feed). The same rules as a dispatch (`workableCase`): an open case, nobody
 * else's (`case_closed`, `case_taken`); a case nobody holds may be written on without taking it.
 */
export function decideNote(aggregate: VehicleAggregate, request: NoteRequest, ctx: DecideContext): Decision | Refusal {
  const ch = new Changes(aggregate, ctx);
  const c = workableCase(ch, request.caseId, request.operatorId);
  if ('refused' in c) return c;
  const note: CaseNote = { at: ch.at, operatorId: request.operatorId, text: request.text };
  ch.putCase({ ...c, notes: [...(c.notes ?? []), note] });
  return ch.finish(`case ${c.id}: ${request.operatorId} added a note`);
}
