import { createHash, randomBytes } from 'node:crypto';
import { topics, type AuditActor, type ContactConfirmed, type ContactInput, type OutboxEmail, type VehicleContacts } from '../../protocol/index.js';
import { contactConfirmedAudit, contactsAudit } from '../audit/entries.js';
import type { OutboxDraft } from './core.js';
import { CONTACT_TOKEN_INDEX_TTL_MS, contactView, decideConfirmContact, decideContacts, emailsOf, type Decision, type IssuedToken } from './domain/index.js';
import { DomainError } from './domain-errors.js';
import type { IncidentService } from './service.js';
import type { ContactTokenStore, Store } from './store/port.js';

/** 256 random bits, base64url (43 characters): too many to guess, so the public confirm route needs no rate limit. */
function mintToken(): IssuedToken {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashToken(token) };
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** The emails a decision owes, as outbox drafts on `v1/outbox/email` (QoS 1; core appends the commit's version to each key). */
export function emailDrafts(decision: Decision, keyBase: string): OutboxDraft[] {
  return emailsOf(decision).map((email: OutboxEmail, i) => ({ key: `email:${keyBase}:${i}`, topic: topics.outboxEmail, payload: JSON.stringify(email), qos: 1 as const, retain: false }));
}

/**
 * Issue 12 part 5 (contract "Message relay", D4.5): the owner's contacts, kept on the car's state, and
 * the confirmation of their email addresses. Tokens are minted here (random, outside the pure rules),
 * one per contact of the request, indexed by hash **before** the commit (store/contacts-port.ts), and
 * mailed through the commit's outbox, so a `contact_confirmation` email leaves only for a committed
 * registration and is never lost. `contacts.update` / `contacts.confirm` are audited in the same commit.
 */
export class ContactActions {
  constructor(
    private readonly svc: IncidentService,
    private readonly store: Pick<Store, 'loadVehicle'> & ContactTokenStore,
  ) {}

  async put(vin: string, contacts: ContactInput[], actor: AuditActor): Promise<VehicleContacts> {
    const tokens = contacts.map(() => mintToken());
    const withEmail = tokens.filter((_t, i) => contacts[i]!.email !== undefined);
    await this.svc.answer(() => this.store.putContactTokens(withEmail.map((t) => ({ tokenHash: t.hash, vin })), CONTACT_TOKEN_INDEX_TTL_MS));
    const decision = await this.svc.vehicleDecision(
      vin,
      (aggregate, ctx) => decideContacts(aggregate, contacts, tokens, ctx),
      (d) => [contactsAudit(vin, d.vehicle.contacts ?? [], emailsOf(d).map((e) => e.to), actor)],
      (d) => emailDrafts(d, `contacts:${vin}`),
    );
    return { vin, contacts: (decision.vehicle.contacts ?? []).map(contactView) };
  }

  get(vin: string): Promise<VehicleContacts> {
    return this.svc.answer(async () => {
      const { vehicle } = await this.store.loadVehicle(vin);
      return { vin, contacts: (vehicle.contacts ?? []).map(contactView) };
    });
  }

  /** `POST /v1/contacts/confirm`: 404 `contact_token_not_found`, 410 `contact_token_used` / `contact_token_expired`. */
  async confirm(token: string): Promise<ContactConfirmed> {
    const hash = hashToken(token);
    const vin = await this.svc.answer(() => this.store.findContactToken(hash));
    if (!vin) throw new DomainError('contact_token_not_found', 'no contact address holds this token', {});
    let confirmed: ContactConfirmed | null = null;
    await this.svc.vehicleDecision(
      vin,
      (aggregate, ctx) => {
        const d = decideConfirmContact(aggregate, hash, ctx);
        if (!('refused' in d)) confirmed = { email: d.confirmed.email!, emailStatus: 'confirmed', emailConfirmedAt: d.confirmed.emailConfirmedAt! };
        return d;
      },
      () => (confirmed ? [contactConfirmedAudit(vin, confirmed.email)] : []),
    );
    if (!confirmed) throw new Error(`contact confirmation for ${vin} decided nothing`);
    return confirmed;
  }
}
