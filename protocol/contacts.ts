import { Type, type Static } from '@sinclair/typebox';
import { IsoTime } from './common.js';
import { EmailAddress, EmailToken } from './outbox.js';
import { Vin } from './vin.js';

/**
 * Contract v1 extension "Message relay" (D4.5): the contacts an owner registered for a car.
 * `PUT /v1/vehicles/{vin}/contacts` replaces the list; a new email address starts `provisional` and is
 * confirmed by `POST /v1/contacts/confirm {token}` with the token mailed to it (v1/outbox/email).
 */

/** A phone number as dialled: digits, with an optional leading `+`, spaces, hyphens or parentheses. */
export const PhoneNumber = Type.String({ minLength: 3, maxLength: 32, pattern: '^\\+?[0-9][0-9 ()-]*[0-9]$' });
export type PhoneNumber = Static<typeof PhoneNumber>;

/** How many contacts one car may have. */
export const MAX_CONTACTS = 5;

/** One contact as the owner registers it. */
export const ContactInput = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100, pattern: '^[^\\r\\n]+$' }),
    phone: Type.Optional(PhoneNumber),
    email: Type.Optional(EmailAddress),
  },
  { additionalProperties: false },
);
export type ContactInput = Static<typeof ContactInput>;

/** `PUT /v1/vehicles/{vin}/contacts`: the whole list, in the order to call (the first with a phone is called). */
export const PutContactsBody = Type.Object({ contacts: Type.Array(ContactInput, { maxItems: MAX_CONTACTS }) }, { additionalProperties: false });
export type PutContactsBody = Static<typeof PutContactsBody>;

/** D4.5: an email registration is provisional until its confirmation link is opened. */
export const EMAIL_STATUSES = ['provisional', 'confirmed'] as const;
export const EmailStatus = Type.Union(EMAIL_STATUSES.map((s) => Type.Literal(s)));
export type EmailStatus = (typeof EMAIL_STATUSES)[number];

/** A registered contact as the API shows it (the confirmation token is never shown). */
export const Contact = Type.Object({
  name: Type.String(),
  phone: Type.Optional(Type.String()),
  email: Type.Optional(Type.String()),
  /** Present with `email`. */
  emailStatus: Type.Optional(EmailStatus),
  emailConfirmedAt: Type.Optional(IsoTime),
});
export type Contact = Static<typeof Contact>;

/** `PUT` / `GET /v1/vehicles/{vin}/contacts` -> 200. */
export const VehicleContacts = Type.Object({ vin: Vin, contacts: Type.Array(Contact) });
export type VehicleContacts = Static<typeof VehicleContacts>;

/** `POST /v1/contacts/confirm` (public: the token is the credential). */
export const ConfirmContactBody = Type.Object({ token: EmailToken }, { additionalProperties: false });
export type ConfirmContactBody = Static<typeof ConfirmContactBody>;

/** `POST /v1/contacts/confirm` -> 200: the address now confirmed (the car is not named: the token holder needs no VIN). */
export const ContactConfirmed = Type.Object({ email: Type.String(), emailStatus: Type.Literal('confirmed'), emailConfirmedAt: IsoTime });
export type ContactConfirmed = Static<typeof ContactConfirmed>;
