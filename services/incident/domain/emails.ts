import type { OutboxEmail } from '../../../protocol/index.js';
import type { Decision } from './state.js';

/**
 * D4.5, contract "Message relay": a decision that also owes emails. The service sends them through the
 * commit's outbox on `v1/outbox/email` (QoS 1), so an email leaves only once its change is committed,
 * and is sent again until the broker confirms it (core.ts, outbox-relay.ts).
 */
export type DecisionWithEmails = Decision & { emails: OutboxEmail[] };

/** The emails a decision owes (none for a decision of another kind). */
export function emailsOf(decision: Decision): OutboxEmail[] {
  return (decision as Partial<DecisionWithEmails>).emails ?? [];
}

/** `contact_confirmation` (D4.5: an email registration is provisional until its confirmation link is opened). */
export function confirmationEmail(to: string, name: string, token: string, expiresAt: string): OutboxEmail {
  return {
    v: 1,
    kind: 'contact_confirmation',
    to,
    token,
    subject: 'anshin: please confirm your contact address / 連絡先メールアドレスの確認',
    body: [
      `${name} 様`,
      '',
      'このアドレスは緊急サポートセンターの連絡先として仮登録されました。次の確認コードで登録を完了してください。',
      `This address was registered as a contact of the emergency support centre for ${name}.`,
      'Confirm it with this code (POST /v1/contacts/confirm {"token": "<code>"}):',
      '',
      token,
      '',
      `The code is valid until ${expiresAt}. Until it is confirmed, the centre will not email this address.`,
    ].join('\n'),
  };
}

/** `relay_callback_request` (D4.5: the phone was not answered; a confirmed address is asked to call back). */
export function callbackRequestEmail(to: string, name: string, caseId: string): OutboxEmail {
  return {
    v: 1,
    kind: 'relay_callback_request',
    to,
    subject: 'anshin: please call the emergency support centre back / 折り返しお電話ください',
    body: [
      `${name} 様`,
      '',
      '緊急サポートセンターからお電話しましたが、つながりませんでした。お預かりしている伝言がありますので、センターへ折り返しお電話ください。',
      'The emergency support centre called you with a message from the car owner, but the call was not answered.',
      'Please call the centre back.',
      '',
      `Reference: ${caseId}`,
    ].join('\n'),
  };
}
