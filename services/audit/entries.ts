import { isoTime, type AuditActor, type AuditEntry, type Case, type Dispatch, type LockoutFeature, type Relay, type Contact } from '../../protocol/index.js';

/** An audit entry before it is stamped with its id and time (at commit: core.ts `RunOptions.audit`). */
export type AuditDraft = Omit<AuditEntry, 'id' | 'at'>;

export function stampAudit(draft: AuditDraft, id: string, now: number): AuditEntry {
  return { id, at: isoTime(now), ...draft };
}

/** An operator's action on a case, as the audit records it (contract: `case.answer`, `case.close`, ...). */
export interface CaseActionFacts {
  kind: 'answer' | 'hangup' | 'callback' | 'close' | 'release';
  operatorId: string;
  resolution?: string;
  note?: string;
  /** release: whose case it was. */
  releasedFrom?: string;
}

/**
 * `case.<kind>`: the case and its car, who acted, and for whom (`operatorId`: the same as the actor for
 * an operator; the operator a service token acted for otherwise). A close keeps its resolution and note.
 */
export function caseActionAudit(facts: CaseActionFacts, c: Pick<Case, 'id' | 'vin'>, actor: AuditActor): AuditDraft {
  const details: Record<string, unknown> = { operatorId: facts.operatorId };
  if (facts.resolution !== undefined) details.resolution = facts.resolution;
  if (facts.note !== undefined) details.note = facts.note;
  if (facts.releasedFrom !== undefined) details.releasedFrom = facts.releasedFrom;
  return { actor, action: `case.${facts.kind}`, caseId: c.id, vin: c.vin, details };
}

/** What a request to the car asked for (`vehicle.remote_operation`: `{operation}`; `vehicle.wifi`: `{enabled}`). */
export type VehicleRequestAction = 'vehicle.remote_operation' | 'vehicle.wifi';

/** A request to a car that was sent: with the command that carries it. */
export function vehicleRequestSent(action: VehicleRequestAction, vin: string, actor: AuditActor, request: Record<string, unknown>, commandId: string): AuditDraft {
  return { actor, action, vin, details: { ...request, outcome: 'sent', commandId } };
}

/** A request to a car that the rules refused (D3: a lockout): recorded too (contract), with why and until when. */
export function vehicleRequestRefused(
  action: VehicleRequestAction,
  vin: string,
  actor: AuditActor,
  request: Record<string, unknown>,
  refusal: { code: string; feature?: LockoutFeature; until?: string | null },
): AuditDraft {
  return { actor, action, vin, details: { ...request, outcome: 'refused', refusal } };
}

/** Contract "Identity and access" (issue 12 part 4): a dispatch requested, with what the agency was told. */
export function dispatchCreatedAudit(d: Dispatch, c: Pick<Case, 'id' | 'vin'>, actor: AuditActor): AuditDraft {
  const details: Record<string, unknown> = { operatorId: d.requestedBy, dispatchId: d.id, agency: d.agency, position: d.position };
  if (d.destination) details.destination = d.destination;
  if (d.reference !== undefined) details.reference = d.reference;
  if (d.note !== undefined) details.note = d.note;
  if (d.serviceCar) details.serviceCar = d.serviceCar;
  if (d.noResponse) details.noResponse = true;
  if (d.coverage) details.coverage = { programme: d.coverage.programme, eligible: d.coverage.eligible };
  return { actor, action: 'dispatch.create', caseId: c.id, vin: c.vin, details };
}

/** A dispatch's status moved (or its ETA changed): from, to. */
export function dispatchUpdatedAudit(before: Dispatch, after: Dispatch, operatorId: string, c: Pick<Case, 'id' | 'vin'>, actor: AuditActor): AuditDraft {
  const details: Record<string, unknown> = { operatorId, dispatchId: after.id, agency: after.agency, from: before.status, to: after.status };
  if (after.etaMinutes !== undefined) details.etaMinutes = after.etaMinutes;
  return { actor, action: 'dispatch.update', caseId: c.id, vin: c.vin, details };
}

/** D4.2: the operator declared no response; the dispatches it created are audited each as `dispatch.create` too. */
export function noResponseAudit(created: Dispatch[], operatorId: string, c: Pick<Case, 'id' | 'vin'>, actor: AuditActor): AuditDraft {
  return { actor, action: 'case.no_response', caseId: c.id, vin: c.vin, details: { operatorId, dispatches: created.map((d) => ({ dispatchId: d.id, agency: d.agency })) } };
}

/** D4.4 (extension): the owner's registered dealer. */
export function dealerAudit(vin: string, dealerId: string, actor: AuditActor): AuditDraft {
  return { actor, action: 'vehicle.dealer', vin, details: { dealerId } };
}

/** Contract "Answer targets": the service escalated a call unanswered past its target (a system action). */
export function escalationAudit(c: Pick<Case, 'id' | 'vin' | 'priority'>, targetSeconds: number): AuditDraft {
  return { actor: { kind: 'system', id: 'answer-target' }, action: 'case.escalated', caseId: c.id, vin: c.vin, details: { priority: c.priority, targetSeconds } };
}

/** D4.5 (contract "Message relay"): the owner's contacts replaced: how many, which addresses are to be confirmed. */
export function contactsAudit(vin: string, contacts: { name: string; phone?: string; email?: string; emailStatus?: string }[], mailed: string[], actor: AuditActor): AuditDraft {
  const listed = contacts.map((c) => ({ name: c.name, ...(c.phone !== undefined ? { phone: c.phone } : {}), ...(c.email !== undefined ? { email: c.email, emailStatus: c.emailStatus } : {}) }));
  return { actor, action: 'contacts.update', vin, details: { contacts: listed, confirmationSent: mailed } };
}

/** D4.5: a contact address confirmed with its token (the token holder acted; no account names it). */
export function contactConfirmedAudit(vin: string, email: string): AuditDraft {
  return { actor: { kind: 'system', id: 'contact-confirmation' }, action: 'contacts.confirm', vin, details: { email } };
}

/** D4.5: a relay asked for, with the one call it makes. */
export function relayCreatedAudit(r: Relay, c: Pick<Case, 'id' | 'vin'>, actor: AuditActor, contacts: Contact[] = []): AuditDraft {
  const phone = r.attempts.find((a) => a.channel === 'phone');
  // The car's contacts as the relay found them: what a trace's `relay` line carries, so a replay can register them first.
  const listed = contacts.map((x) => ({ name: x.name, ...(x.phone !== undefined ? { phone: x.phone } : {}), ...(x.email !== undefined ? { email: x.email, emailStatus: x.emailStatus ?? 'provisional' } : {}) }));
  return { actor, action: 'relay.create', caseId: c.id, vin: c.vin, details: { operatorId: r.requestedBy, relayId: r.id, contactName: r.contactName, to: phone?.to, message: r.message, contacts: listed } };
}

/** D4.5: the result of the relay's call, and what followed (a call-back email, or unreachable). */
export function relayPhoneResultAudit(r: Relay, answered: boolean, operatorId: string, c: Pick<Case, 'id' | 'vin'>, actor: AuditActor): AuditDraft {
  const email = r.attempts.find((a) => a.channel === 'email');
  return { actor, action: 'relay.phone_result', caseId: c.id, vin: c.vin, details: { operatorId, relayId: r.id, answered, status: r.status, ...(email ? { emailTo: email.to } : {}) } };
}
