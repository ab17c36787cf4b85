import type { AuditActor, Case, Relay } from '../../protocol/index.js';
import { relayCreatedAudit, relayPhoneResultAudit } from '../audit/entries.js';
import { emailDrafts } from './contact-actions.js';
import { contactView, decidePhoneResult, decideRelay, type Decision, type PhoneResult, type RelayRequest } from './domain/index.js';
import type { IncidentService } from './service.js';

function relayIn(c: Pick<Case, 'id' | 'relays'> | undefined, relayId: string | undefined): Relay | undefined {
  return relayId === undefined ? undefined : c?.relays?.find((r) => r.id === relayId);
}

function decidedCase(decision: Decision, caseId: string): Case | undefined {
  return decision.cases.find((c) => c.id === caseId);
}

/**
 * Issue 12 part 5 (contract "Message relay", D4.5): the operator relays a message to the owner's
 * contact, through the service's one front door (`caseChange`): decided on the case's car, committed
 * with `case.updated` on the feed, its audit entries (`relay.create`, `relay.phone_result`) and, when
 * the phone was not answered, the call-back email (the outbox, `v1/outbox/email`) in the same commit.
 */
export class RelayActions {
  constructor(private readonly svc: IncidentService) {}

  async create(request: RelayRequest, actor: AuditActor): Promise<Relay> {
    const { case: after, decision } = await this.svc.caseChange(
      request.caseId,
      (aggregate, ctx) => decideRelay(aggregate, request, ctx),
      (d, found) => {
        const created = decidedCase(d, found.id)?.relays?.at(-1);
        return created ? [relayCreatedAudit(created, found, actor, (d.vehicle.contacts ?? []).map(contactView))] : [];
      },
    );
    const relay = relayIn(after, decision ? decidedCase(decision, request.caseId)?.relays?.at(-1)?.id : undefined);
    if (!relay) throw new Error(`relay on case ${request.caseId} was not kept`);
    return relay;
  }

  async phoneResult(input: PhoneResult, actor: AuditActor): Promise<Relay> {
    const { case: after } = await this.svc.caseChange(
      input.caseId,
      (aggregate, ctx) => decidePhoneResult(aggregate, input, ctx),
      (d, found) => {
        const next = relayIn(decidedCase(d, found.id), input.relayId);
        return next ? [relayPhoneResultAudit(next, input.answered, input.operatorId, found, actor)] : [];
      },
      { also: (d) => emailDrafts(d, `relay:${input.relayId}`) },
    );
    const relay = relayIn(after, input.relayId);
    if (!relay) throw new Error(`relay ${input.relayId} on case ${input.caseId} was not kept`);
    return relay;
  }
}
