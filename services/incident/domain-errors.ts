import type { Refusal, RefusalDetails } from './domain/index.js';

/**
 * What the incident service answers when it does not return a result (STYLE 7, 15): a code the
 * callers branch on, a sentence for people, and typed details. Transport-free: HTTP maps each code to a
 * status, body and headers in one place (errors.ts, plugins/errors.ts); trace replay records the code.
 *
 * - the rules' refusals (domain/refusal.ts): `case_closed`, `case_taken`, `call_not_active`,
 *   `call_active`, `locked_out` (D2, D3);
 * - `case_not_found`, `session_not_found`: nothing by that id;
 * - `busy`: the car changed concurrently on every try (core.ts BusyError); trying again is fine;
 * - `unavailable`: the store cannot be reached (an outage, not a fault of the request); try later;
 * - issue 11: `unauthorized`, `forbidden`, `invalid_credentials`, `rate_limited`, `operator_exists`,
 *   `operator_not_found`, `last_admin`, `unknown_cursor` (services/identity/, services/audit/);
 * - issue 12 part 4: the dispatch refusals (`dispatch_not_found`, `dispatch_finished`,
 *   `dispatch_status_backwards`, `not_an_emergency`, `coverage_not_applicable`), and `unknown_dealer`;
 * - issue 12 part 5 (D4.5): `relay_not_available`, `no_registered_contact`, `already_called`,
 *   `relay_not_found`, `contact_token_not_found`, `contact_token_used`, `contact_token_expired`: refusals
 *   declared beside their rules (domain/relay.ts, by augmenting `RefusalDetails`).
 */
export interface DomainErrorDetails extends RefusalDetails {
  case_not_found: { caseId: string };
  session_not_found: { sessionId: string };
  busy: { vin: string; attempts: number };
  unavailable: { retryAfterSeconds: number };
  // Issue 11, identity and access (services/identity/): who may do what.
  /** No valid credentials: none given, unknown, expired or logged out. `login` when AUTH=on (operators log in). */
  unauthorized: { login: boolean };
  /** The caller's role may not do this, or it named another operator than its token's. */
  forbidden: { required?: string };
  /** A login refused: the same answer for an unknown user and a wrong password. */
  invalid_credentials: Record<string, never>;
  /** Too many failed logins for this username or from this address. */
  rate_limited: { retryAfterSeconds: number };
  operator_exists: { username: string };
  operator_not_found: { username: string };
  /** The only admin account cannot be deleted. */
  last_admin: { username: string };
  /** `GET /v1/audit?before=` names no entry. */
  unknown_cursor: { before: string };
  /** Issue 12 part 7: `PUT /v1/vehicles/{vin}/dealer` names no dealer of the list. */
  unknown_dealer: { dealerId: string };
  /** Issue 12 part 6 (D4.6): `GET /v1/track/{token}` names no tracking link. */
  track_not_found: Record<string, never>;
  /** D4.6: the tracked dispatch is completed or cancelled: the link has ended. */
  track_ended: { status: string };
}
export type DomainErrorCode = keyof DomainErrorDetails;

export class DomainError<C extends DomainErrorCode = DomainErrorCode> extends Error {
  constructor(
    readonly code: C,
    message: string,
    readonly details: DomainErrorDetails[C],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DomainError';
  }

  /** Narrows to one code, with its details typed. */
  is<K extends DomainErrorCode>(code: K): this is DomainError<K> {
    return (this.code as DomainErrorCode) === code;
  }

  /** A rule's refusal, thrown to the caller with the same code, message and details. */
  static refused(refusal: Refusal): DomainError {
    return new DomainError(refusal.refused, refusal.message, refusal.details);
  }
}

/** How long a caller should wait before trying again after `unavailable` (Redis reconnects within 2 s). */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;
