import { Buffer } from 'node:buffer';
import { OutboxEmail, describeIssues, findJsonLimitProblem, validator } from '../../protocol/index.js';

/**
 * Why an outbox message can never be delivered: it is logged with this code and acknowledged
 * (dropped), never retried, since no retry changes it. `smtp_rejected` is the SMTP server refusing the
 * recipient or the message for good (a 5xx to RCPT TO or DATA).
 */
export const DROP_CODES = ['payload_too_large', 'malformed_json', 'malformed_unicode', 'nesting_too_deep', 'schema_invalid', 'smtp_rejected'] as const;
export type DropCode = (typeof DROP_CODES)[number];

/** Far above the largest valid message (a 64 Ki-character body in UTF-8 is at most 192 KiB). */
export const MAX_OUTBOX_PAYLOAD_BYTES = 256 * 1024;

export type Decoded = { ok: true; email: OutboxEmail } | { ok: false; code: DropCode; detail: string };

const check = validator(OutboxEmail);

/** Payload -> the email it asks for, or the reason it is dropped (the same checks as ingest: size, JSON, limits, schema). */
export function decodeOutboxEmail(payload: Buffer): Decoded {
  if (payload.length > MAX_OUTBOX_PAYLOAD_BYTES) return { ok: false, code: 'payload_too_large', detail: `${payload.length} bytes, at most ${MAX_OUTBOX_PAYLOAD_BYTES}` };
  let value: unknown;
  try {
    value = JSON.parse(payload.toString('utf8'));
  } catch (err) {
    return { ok: false, code: 'malformed_json', detail: (err as Error).message };
  }
  const limit = findJsonLimitProblem(value);
  if (limit) return { ok: false, code: limit.kind, detail: `at ${limit.pointer || '/'}` };
  if (!check.check(value)) return { ok: false, code: 'schema_invalid', detail: describeIssues(check.issues(value)) };
  return { ok: true, email: value };
}
