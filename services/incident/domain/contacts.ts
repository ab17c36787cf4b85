import { isoTime, type Contact, type ContactInput, type EmailStatus } from '../../../protocol/index.js';
import { Changes } from './changes.js';
import { confirmationEmail, type DecisionWithEmails } from './emails.js';
import { refuse, type Refusal } from './refusal.js';
import type { DecideContext, VehicleAggregate } from './state.js';

/**
 * A contact the owner registered (contract "Message relay", D4.5), as kept on the car's state
 * (`VehicleState.contacts`): committed with the car, like its registered dealer. The confirmation token
 * is kept only as its SHA-256 (`emailToken.hash`): the token itself lives in the email alone.
 */
export interface ContactRecord {
  name: string;
  phone?: string;
  email?: string;
  emailStatus?: EmailStatus;
  emailConfirmedAt?: string;
  /** The token mailed to `email`: its hash, its expiry (epoch ms), and when it was used. */
  emailToken?: { hash: string; expiresAt: number; usedAt?: string };
}

/** A token minted for a registration (by the service: random, 256 bits), with its hash. */
export interface IssuedToken {
  token: string;
  hash: string;
}

/** How long a confirmation token works: 7 days (this project's choice). */
export const CONTACT_TOKEN_TTL_MS = 7 * 24 * 3_600_000;
/** How long the token index keeps a token (store/contacts-port.ts): twice its life, so a late click hears `contact_token_expired`, not `not_found`. */
export const CONTACT_TOKEN_INDEX_TTL_MS = 2 * CONTACT_TOKEN_TTL_MS;

/** Addresses compare without case: `Taro@Example.jp` re-registered is the same address. */
function sameAddress(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** What the API shows of a contact (never its token). */
export function contactView(c: ContactRecord): Contact {
  return {
    name: c.name,
    ...(c.phone !== undefined ? { phone: c.phone } : {}),
    ...(c.email !== undefined ? { email: c.email, emailStatus: c.emailStatus ?? 'provisional' } : {}),
    ...(c.emailConfirmedAt !== undefined ? { emailConfirmedAt: c.emailConfirmedAt } : {}),
  };
}

/**
 * D4.5, contract "Message relay": the owner's contacts replace the car's list. An address already
 * confirmed on the car stays confirmed (re-registering it proves nothing new); an address still
 * provisional with a token that has not expired keeps that token and is not mailed again (the same
 * PUT twice changes nothing); any other address starts `provisional` with a new token (`tokens[i]`,
 * minted by the service for the i-th contact) and a `contact_confirmation` email. A changed address
 * is a new address: provisional again.
 */
export function decideContacts(aggregate: VehicleAggregate, contacts: ContactInput[], tokens: IssuedToken[], ctx: DecideContext): DecisionWithEmails {
  const ch = new Changes(aggregate, ctx);
  const before = ch.vehicle.contacts ?? [];
  const emails: DecisionWithEmails['emails'] = [];
  const next = contacts.map((input, i): ContactRecord => {
    const base: ContactRecord = { name: input.name, ...(input.phone !== undefined ? { phone: input.phone } : {}) };
    if (input.email === undefined) return base;
    const known = before.find((c) => c.email !== undefined && sameAddress(c.email, input.email!));
    if (known?.emailStatus === 'confirmed') {
      return { ...base, email: input.email, emailStatus: 'confirmed', ...(known.emailConfirmedAt ? { emailConfirmedAt: known.emailConfirmedAt } : {}), ...(known.emailToken ? { emailToken: known.emailToken } : {}) };
    }
    if (known?.emailToken && known.emailToken.expiresAt > ch.now) return { ...base, email: input.email, emailStatus: 'provisional', emailToken: known.emailToken };
    const issued = tokens[i];
    if (!issued) throw new Error(`contact ${i}: no token minted for it`);
    const expiresAt = ch.now + CONTACT_TOKEN_TTL_MS;
    emails.push(confirmationEmail(input.email, input.name, issued.token, isoTime(expiresAt)));
    return { ...base, email: input.email, emailStatus: 'provisional', emailToken: { hash: issued.hash, expiresAt } };
  });
  ch.vehicle = { ...ch.vehicle, contacts: next };
  const decision = ch.finish(`contacts of ${ch.vehicle.vin}: ${next.length} registered, ${emails.length} address(es) to confirm (D4.5)`);
  return { ...decision, emails };
}

/**
 * D4.5: the confirmation link was opened: the address holding this token is confirmed. The token works
 * once (`contact_token_used`) and until it expires (`contact_token_expired`); a token no contact of the
 * car holds (its address changed or was removed since) is unknown (`contact_token_not_found`).
 */
export function decideConfirmContact(aggregate: VehicleAggregate, tokenHash: string, ctx: DecideContext): (DecisionWithEmails & { confirmed: Contact }) | Refusal {
  const ch = new Changes(aggregate, ctx);
  const contacts = ch.vehicle.contacts ?? [];
  const i = contacts.findIndex((c) => c.emailToken?.hash === tokenHash);
  const found = contacts[i];
  if (!found?.emailToken) return refuse('contact_token_not_found', 'no contact address holds this token', {});
  if (found.emailToken.usedAt !== undefined) return refuse('contact_token_used', 'this token was used already', { usedAt: found.emailToken.usedAt });
  if (found.emailToken.expiresAt <= ch.now) return refuse('contact_token_expired', 'this token has expired: register the address again for a new one', { expiredAt: isoTime(found.emailToken.expiresAt) });
  const confirmed: ContactRecord = { ...found, emailStatus: 'confirmed', emailConfirmedAt: ch.at, emailToken: { ...found.emailToken, usedAt: ch.at } };
  ch.vehicle = { ...ch.vehicle, contacts: contacts.map((c, j) => (j === i ? confirmed : c)) };
  const decision = ch.finish(`contact address of ${ch.vehicle.vin} confirmed (D4.5)`);
  return { ...decision, emails: [], confirmed: contactView(confirmed) };
}
