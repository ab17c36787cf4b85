import { Type, type Static } from '@sinclair/typebox';
import { ContractVersion } from './common.js';

/**
 * Extension (contract "The operator's work", Message relay, D4.5): the email outbox. The incident
 * service publishes each email it owes on `v1/outbox/email` (QoS 1, backend-only); the mail gateway
 * (services/mail-gateway/) consumes the topic and hands each message to an SMTP server.
 */

/** Why the email is sent: a new contact address to confirm (with its token), or a relay's call-back request. */
export const EMAIL_KINDS = ['contact_confirmation', 'relay_callback_request'] as const;
export type EmailKind = (typeof EMAIL_KINDS)[number];

/**
 * One address, no display name: `local@domain.tld`. Deliberately plain: no spaces, angle brackets,
 * commas, semicolons or quotes, so the value can never become a second recipient or a header.
 */
export const EmailAddress = Type.String({ minLength: 3, maxLength: 254, pattern: '^[^\\s@<>,;"()\\[\\]\\\\]+@[^\\s@<>,;"()\\[\\]\\\\]+\\.[^\\s@<>,;"()\\[\\]\\\\]+$' });
export type EmailAddress = Static<typeof EmailAddress>;

/** A header value: one line (CR or LF would start another header). */
const Subject = Type.String({ minLength: 1, maxLength: 200, pattern: '^[^\\r\\n]+$' });
const Body = Type.String({ minLength: 1, maxLength: 64 * 1024 });
/** The contact-confirmation token, opaque (`POST /v1/contacts/confirm {token}`). */
export const EmailToken = Type.String({ minLength: 1, maxLength: 256, pattern: '^[A-Za-z0-9_-]+$' });

const common = { v: ContractVersion, to: EmailAddress, subject: Subject, body: Body };

/** `kind: contact_confirmation` carries the token the link in the body confirms. */
export const ContactConfirmationEmail = Type.Object({ ...common, kind: Type.Literal('contact_confirmation'), token: EmailToken });
/** `kind: relay_callback_request`: the phone was not answered, the confirmed contact is asked to call back (D4.5). */
export const RelayCallbackEmail = Type.Object({ ...common, kind: Type.Literal('relay_callback_request'), token: Type.Optional(EmailToken) });

/** `v1/outbox/email`, QoS 1: `{v, to, subject, body, kind, token?}`. Unknown fields are ignored (contract v1 extensions). */
export const OutboxEmail = Type.Union([ContactConfirmationEmail, RelayCallbackEmail]);
export type OutboxEmail = Static<typeof OutboxEmail>;
