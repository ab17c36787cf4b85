/**
 * Steps and expectations of D4.5 (message relay) for domain specs (domain-spec.ts): the owner registers
 * contacts, a contact confirms its address with the token from the confirmation email, the operator
 * arranges transport, relays a message and records the result of the one call. They go through the
 * service's own actions (contact-actions.ts, relay-actions.ts, dispatch-actions.ts), as the HTTP routes do.
 */
import { expect } from 'vitest';
import { topics, type Agency, type ContactInput, type OutboxEmail, type Relay } from '../../protocol/index.js';
import { DomainError } from '../../services/incident/domain-errors.js';
import { VIN } from './domain-fixtures.js';
import type { DomainSpec, Expectation, Step, StepResult } from './domain-spec.js';

const OPERATOR = { kind: 'operator' as const, id: 'op-1' };

async function attempt(work: () => Promise<unknown>): Promise<StepResult> {
  try {
    await work();
    return { status: 'ok' };
  } catch (err) {
    if (err instanceof DomainError) return { status: 'refused', code: err.code, message: err.message, details: err.details as Record<string, unknown> };
    throw err;
  }
}

/** Every email the service has sent so far (D4.5: through the outbox, on `v1/outbox/email`). */
export function emailsSent(spec: DomainSpec): OutboxEmail[] {
  return spec.sent.filter((s) => s.topic === topics.outboxEmail).map((s) => s.payload as OutboxEmail);
}

/** The token of the latest confirmation email sent to `to`. */
export function tokenFor(spec: DomainSpec, to: string): string {
  const mail = emailsSent(spec).filter((m) => m.kind === 'contact_confirmation' && m.to === to).at(-1);
  if (!mail || mail.kind !== 'contact_confirmation') throw new Error(`no confirmation email to ${to}`);
  return mail.token;
}

/** The owner registers the car's contacts (`PUT /v1/vehicles/{vin}/contacts`). */
export function contacts(list: ContactInput[], vin = VIN): Step {
  return { label: `contacts ${list.map((c) => c.name).join(', ')}`, run: (spec) => attempt(() => spec.running.contacts.put(vin, list, OPERATOR)) };
}

/** The contact opens the confirmation link: the token of the latest email to `to` (or a given token). */
export function confirm(to: string, token?: string): Step {
  return { label: `confirm ${to}`, run: (spec) => attempt(() => spec.running.contacts.confirm(token ?? tokenFor(spec, to))) };
}

/** The operator sends an agency for the car's latest case. */
export function arrange(agency: Agency): Step {
  return {
    label: `dispatch ${agency}`,
    run: async (spec) => {
      const c = await spec.caseOf();
      return attempt(() => spec.running.dispatches.create({ caseId: c.id, operatorId: 'op-1', agency }, OPERATOR));
    },
  };
}

/** The operator cancels the n-th dispatch of the latest case. */
export function cancel(n: number): Step {
  return {
    label: `cancel dispatch #${n}`,
    run: async (spec) => {
      const c = await spec.caseOf();
      return attempt(() => spec.running.dispatches.update({ caseId: c.id, dispatchId: c.dispatches![n]!.id, operatorId: 'op-1', status: 'cancelled' }, OPERATOR));
    },
  };
}

/** The operator relays a message on the latest case (`POST /v1/cases/{id}/relay`). */
export function relay(message = 'The tow truck is on its way; the car goes to the dealer.', by = 'op-1'): Step {
  return {
    label: `relay "${message}"`,
    run: async (spec) => {
      const c = await spec.caseOf();
      return attempt(() => spec.running.messageRelay.create({ caseId: c.id, operatorId: by, message }, { kind: 'operator', id: by }));
    },
  };
}

/** The result of the n-th relay's call (the latest by default). */
export function phoneResult(answered: boolean, n = -1, relayId?: string): Step {
  return {
    label: `phone ${answered ? 'answered' : 'not answered'}`,
    run: async (spec) => {
      const c = await spec.caseOf();
      const id = relayId ?? c.relays?.at(n)?.id ?? 'no-relay';
      return attempt(() => spec.running.messageRelay.phoneResult({ caseId: c.id, relayId: id, operatorId: 'op-1', answered }, OPERATOR));
    },
  };
}

/** The latest case's relays, as stored. */
export function relays(expected: Partial<Relay>[]): Expectation {
  return async (o) => {
    const c = await o.spec.caseOf();
    expect(c.relays ?? [], `relays of case ${c.id}`).toEqual(expected.map((r) => expect.objectContaining(r)));
  };
}

/** The emails the `when` steps sent (kind and address), in order. */
export function emails(expected: { kind: OutboxEmail['kind']; to: string }[]): Expectation {
  return (o) => expect(o.on(topics.outboxEmail).map((m) => ({ kind: (m as OutboxEmail).kind, to: (m as OutboxEmail).to }))).toEqual(expected);
}

/** The car's contacts as the API shows them. */
export function contactList(expected: Record<string, unknown>[], vin = VIN): Expectation {
  return async (o) => expect((await o.spec.running.contacts.get(vin)).contacts).toEqual(expected.map((c) => expect.objectContaining(c)));
}
