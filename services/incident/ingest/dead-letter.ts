import type { DeadLetterReason } from '../../../protocol/index.js';

/**
 * A message refused at ingest: it is published on `v1/dead-letter` with this reason (contract "Bad
 * input"), acknowledged, and changes nothing. Not a rule's refusal (domain/refusal.ts), which answers
 * an operator or an owner over HTTP. Stages throw it; the index catches it and sends the letter.
 */
export class DeadLetterError extends Error {
  constructor(
    readonly reason: DeadLetterReason,
    readonly detail?: string,
  ) {
    super(detail ? `${reason}: ${detail}` : reason);
    this.name = 'DeadLetterError';
  }
}
