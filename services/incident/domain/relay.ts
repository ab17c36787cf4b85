import { DESTINATION_AGENCIES, type Case, type Relay, type RelayAttempt } from '../../../protocol/index.js';
import { Changes } from './changes.js';
import type { ContactRecord } from './contacts.js';
import { workableCase } from './dispatches.js';
import { callbackRequestEmail, type DecisionWithEmails } from './emails.js';
import { refuse, type Refusal } from './refusal.js';
import type { DecideContext, Decision, VehicleAggregate } from './state.js';

/*
 * The refusals of D4.5 (contract "Message relay"), added to the rules' refusal codes by module
 * augmentation, so that refusal.ts (shared) stays as it is; errors.ts maps each to its status.
 */
declare module './refusal.js' {
  interface RefusalDetails {
    /** Not a trouble case, or no road_service / dealer_transport dispatch (not cancelled) on it. */
    relay_not_available: { reason: 'not_trouble' | 'no_transport' };
    /** The owner registered no contact (with a phone) for the car: no relay (D4.5). */
    no_registered_contact: { contacts: number };
    /** D4.5: the phone is called once: a second phone result, or a second relay while one is pending. */
    already_called: { relayId: string; status: string };
    /** No relay by that id on the case. */
    relay_not_found: { relayId: string };
    /** A confirmation token no contact holds (never issued, expired from the index, or its address changed). */
    contact_token_not_found: Record<string, never>;
    contact_token_used: { usedAt: string };
    contact_token_expired: { expiredAt: string };
  }
}

export interface RelayRequest {
  caseId: string;
  operatorId: string;
  message: string;
}

export interface PhoneResult {
  caseId: string;
  relayId: string;
  operatorId: string;
  answered: boolean;
}

/** D4.5 "via trouble support": opened by the trouble button, and no emergency (airbag, impact, SOS) joined the call. */
function isTroubleCase(c: Case): boolean {
  return c.trigger === 'trouble' && (c.triggers ?? []).every((t) => t.type === 'trouble');
}

/** D4.5 "when transport is accepted": a road_service or dealer_transport dispatch that was not cancelled. */
function hasTransport(c: Case): boolean {
  return (c.dispatches ?? []).some((d) => DESTINATION_AGENCIES.includes(d.agency) && d.status !== 'cancelled');
}

/** The contact the relay calls: the first registered one with a phone (a contact with only an email is skipped). */
function calleeOf(contacts: ContactRecord[]): (ContactRecord & { phone: string }) | undefined {
  return contacts.find((c): c is ContactRecord & { phone: string } => c.phone !== undefined);
}

/**
 * D4.5, contract "Message relay": the operator relays a message to the owner's contact: allowed on an
 * open trouble case with transport arranged (`relay_not_available`), never while another relay of the
 * case is still pending (`already_called`), only when a contact with a phone is registered
 * (`no_registered_contact`). The phone is called once: the relay starts `pending` with that call.
 */
export function decideRelay(aggregate: VehicleAggregate, request: RelayRequest, ctx: DecideContext): Decision | Refusal {
  const ch = new Changes(aggregate, ctx);
  const c = workableCase(ch, request.caseId, request.operatorId);
  if ('refused' in c) return c;
  if (!isTroubleCase(c)) return refuse('relay_not_available', 'a message is relayed only on a trouble call (D4.5)', { reason: 'not_trouble' });
  if (!hasTransport(c)) return refuse('relay_not_available', 'a message is relayed once road service or dealer transport is arranged (D4.5)', { reason: 'no_transport' });
  const pending = (c.relays ?? []).find((r) => r.status === 'pending');
  if (pending) return refuse('already_called', 'the contact is being called for this case already', { relayId: pending.id, status: pending.status });
  const contacts = ch.vehicle.contacts ?? [];
  const callee = calleeOf(contacts);
  if (!callee) return refuse('no_registered_contact', 'the owner registered no contact with a phone: no relay (D4.5)', { contacts: contacts.length });
  const relay: Relay = {
    id: ctx.newId(),
    caseId: c.id,
    status: 'pending',
    // D4.5: the phone is called once.
    attempts: [{ channel: 'phone', to: callee.phone, result: 'pending', at: ch.at }],
    message: request.message,
    contactName: callee.name,
    requestedAt: ch.at,
    requestedBy: request.operatorId,
  };
  ch.putCase({ ...c, relays: [...(c.relays ?? []), relay] });
  return ch.finish(`case ${c.id}: ${request.operatorId} relays a message to ${callee.name} by phone (${relay.id}, D4.5)`);
}

/**
 * D4.5: the result of the one call. Answered: `delivered`. Not answered: when the contact called still
 * has a confirmed address, an email asks for a call-back (`relay_callback_request`) and the relay is
 * `delivered`; else `unreachable`. A relay is never called again (`already_called` once it has a result).
 */
export function decidePhoneResult(aggregate: VehicleAggregate, input: PhoneResult, ctx: DecideContext): DecisionWithEmails | Refusal {
  const ch = new Changes(aggregate, ctx);
  const c = workableCase(ch, input.caseId, input.operatorId);
  if ('refused' in c) return c;
  const relay = (c.relays ?? []).find((r) => r.id === input.relayId);
  if (!relay) return refuse('relay_not_found', 'no such relay on this case', { relayId: input.relayId });
  if (relay.status !== 'pending') return refuse('already_called', `the phone was called once already: the relay is ${relay.status}`, { relayId: relay.id, status: relay.status });
  const phone = relay.attempts.find((a) => a.channel === 'phone');
  const attempts: RelayAttempt[] = relay.attempts.map((a) => (a === phone ? { ...a, result: input.answered ? 'answered' : 'not_answered', at: ch.at } : a));
  const emails: DecisionWithEmails['emails'] = [];
  let status: Relay['status'] = 'delivered';
  if (!input.answered) {
    // The contact called, as the car's list has it now (by phone and name): a later confirmation counts, a removed contact is not mailed.
    const contacts = ch.vehicle.contacts ?? [];
    const callee = contacts.find((x) => x.phone === phone?.to && x.name === relay.contactName) ?? contacts.find((x) => x.phone === phone?.to);
    if (callee?.email !== undefined && callee.emailStatus === 'confirmed') {
      attempts.push({ channel: 'email', to: callee.email, result: 'sent', at: ch.at });
      emails.push(callbackRequestEmail(callee.email, callee.name, c.id));
    } else status = 'unreachable';
  }
  const next: Relay = { ...relay, status, attempts, updatedAt: ch.at };
  ch.putCase({ ...c, relays: (c.relays ?? []).map((r) => (r.id === relay.id ? next : r)) });
  const decision = ch.finish(`case ${c.id}: relay ${relay.id} ${input.answered ? 'answered' : 'not answered'} -> ${status} (D4.5)`);
  return { ...decision, emails };
}
