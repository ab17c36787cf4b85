import type { DomainError, DomainErrorCode, DomainErrorDetails } from './domain-errors.js';

/**
 * Every error the HTTP API answers with (STYLE 7): a stable code, its status, and a default message.
 * The error handler hides 5xx internals; clients branch on `error`, people read `message`. The service
 * throws domain errors (domain-errors.ts), never these: `httpErrorOf` below is the one mapping.
 */
export const ERRORS = {
  bad_request: { status: 400, message: 'the request is malformed' },
  validation_failed: { status: 400, message: 'the request does not match the schema' },
  // Issue "No acknowledged emergency event lost": input the store could not read back (protocol/limits.ts).
  malformed_unicode: { status: 400, message: 'a string in the request is not well-formed Unicode (lone surrogate)' },
  nesting_too_deep: { status: 400, message: 'the request body nests deeper than the service accepts' },
  invalid_timestamp: { status: 400, message: 'a time in the request is not a real instant in the accepted window' },
  operator_required: { status: 400, message: 'name the operator in the X-Operator-Id header or operatorId' },
  unauthorized: { status: 401, message: 'a valid bearer token is required' },
  // Issue 11: identity and access.
  invalid_credentials: { status: 401, message: 'unknown username or wrong password' },
  forbidden: { status: 403, message: 'your role may not do this' },
  operator_not_found: { status: 404, message: 'no such operator account' },
  operator_exists: { status: 409, message: 'an operator account with this username exists' },
  last_admin: { status: 409, message: 'the only admin account cannot be deleted' },
  unknown_cursor: { status: 400, message: 'before names no audit entry' },
  not_found: { status: 404, message: 'no such resource' },
  case_not_found: { status: 404, message: 'no such case' },
  session_not_found: { status: 404, message: 'no such voice session' },
  unknown_programme: { status: 404, message: 'no such road-service programme' }, // contract "Coverage"
  case_taken: { status: 409, message: 'another operator has this case' },
  case_closed: { status: 409, message: 'the case is closed' },
  call_not_active: { status: 409, message: 'the call is not active' },
  call_active: { status: 409, message: 'the call is still active' },
  busy: { status: 409, message: 'the vehicle changed concurrently too often; try again' },
  // Issue 12 part 4 (v1 "Dispatches", "No response"), part 7 (dealers), issue 13 part 4 (coverage).
  dispatch_not_found: { status: 404, message: 'no such dispatch on this case' },
  dispatch_finished: { status: 409, message: 'the dispatch is completed or cancelled' },
  dispatch_status_backwards: { status: 409, message: 'a dispatch status only moves forward' },
  not_an_emergency: { status: 409, message: 'no-response dispatching is for airbag, impact and SOS calls' },
  coverage_not_applicable: { status: 400, message: 'a coverage assessment goes on a road_service dispatch only' },
  unknown_dealer: { status: 404, message: 'no such dealer in the dealer list' },
  // Issue 12 part 6 (v1 "Service-car arrival", D4.6).
  track_not_found: { status: 404, message: 'no such tracking link' },
  track_ended: { status: 410, message: 'the service car has arrived or was called off: this link has ended' },
  // Issue 12 part 5 (v1 "Message relay", D4.5): the refusals of domain/relay.ts.
  relay_not_available: { status: 409, message: 'a message is relayed only on a trouble case with road service or dealer transport arranged' },
  no_registered_contact: { status: 409, message: 'the owner registered no contact with a phone' },
  already_called: { status: 409, message: 'the contact was called once already' },
  relay_not_found: { status: 404, message: 'no such relay on this case' },
  contact_token_not_found: { status: 404, message: 'no contact address holds this token' },
  contact_token_used: { status: 410, message: 'this token was used already' },
  contact_token_expired: { status: 410, message: 'this token has expired' },
  locked_out: { status: 423, message: 'the feature is locked out after an emergency call (D3)' },
  request_timeout: { status: 408, message: 'the request did not arrive in time' },
  payload_too_large: { status: 413, message: 'the request body is too large' },
  headers_too_large: { status: 431, message: 'the request headers are too large' },
  rate_limited: { status: 429, message: 'too many requests' },
  internal: { status: 500, message: 'internal error' },
  unavailable: { status: 503, message: 'a dependency is unavailable' },
} as const;
export type ErrorCode = keyof typeof ERRORS;

/** The HTTP status a code answers with (a domain error's code included). */
export function statusOf(code: ErrorCode): number {
  return ERRORS[code].status;
}

export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly details: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message ?? ERRORS[code].message);
    this.status = ERRORS[code].status;
  }

  body(): Record<string, unknown> {
    return { error: this.code, message: this.message, ...this.details };
  }
}

/** What a client sees of each domain error beyond `{error, message}`: body fields and headers. */
interface HttpExtras {
  body?: Record<string, unknown>;
  headers?: Record<string, string>;
}

const DOMAIN_HTTP: { [C in DomainErrorCode]: (details: DomainErrorDetails[C]) => HttpExtras } = {
  case_not_found: () => ({}),
  session_not_found: () => ({}),
  case_closed: () => ({}),
  case_taken: ({ operatorId }) => ({ body: { operatorId } }),
  call_not_active: () => ({}),
  call_active: () => ({}),
  // Contract: a 423 body is {error: "locked_out", feature, until} with a Retry-After header in seconds (D3).
  locked_out: ({ feature, until, retryAfterSeconds }) => ({ body: { feature, until }, headers: { 'retry-after': String(retryAfterSeconds) } }),
  // STYLE 15: the retries inside core.ts ended; a coded 409, never a bare 500.
  busy: () => ({}),
  unavailable: ({ retryAfterSeconds }) => ({ headers: { 'retry-after': String(retryAfterSeconds) } }),
  // Issue 11. RFC 6750: a 401 names the scheme; `login` tells a console to show the login form (AUTH=on)
  // rather than ask for the API token.
  unauthorized: ({ login }) => ({ body: login ? { login: '/v1/auth/login' } : {}, headers: { 'www-authenticate': 'Bearer realm="anshin"' } }),
  forbidden: ({ required }) => ({ body: required ? { required } : {} }),
  invalid_credentials: () => ({ headers: { 'www-authenticate': 'Bearer realm="anshin"' } }),
  rate_limited: ({ retryAfterSeconds }) => ({ headers: { 'retry-after': String(retryAfterSeconds) } }),
  operator_exists: ({ username }) => ({ body: { username } }),
  operator_not_found: ({ username }) => ({ body: { username } }),
  last_admin: ({ username }) => ({ body: { username } }),
  unknown_cursor: ({ before }) => ({ body: { before } }),
  dispatch_not_found: ({ dispatchId }) => ({ body: { dispatchId } }),
  dispatch_finished: ({ dispatchId, status }) => ({ body: { dispatchId, status } }),
  dispatch_status_backwards: ({ dispatchId, status, requested }) => ({ body: { dispatchId, status, requested } }),
  not_an_emergency: ({ trigger }) => ({ body: { trigger } }),
  coverage_not_applicable: ({ agency }) => ({ body: { agency } }),
  unknown_dealer: ({ dealerId }) => ({ body: { dealerId } }),
  relay_not_available: ({ reason }) => ({ body: { reason } }),
  no_registered_contact: ({ contacts }) => ({ body: { contacts } }),
  already_called: ({ relayId, status }) => ({ body: { relayId, status } }),
  relay_not_found: ({ relayId }) => ({ body: { relayId } }),
  contact_token_not_found: () => ({}),
  contact_token_used: ({ usedAt }) => ({ body: { usedAt } }),
  contact_token_expired: ({ expiredAt }) => ({ body: { expiredAt } }),
  track_not_found: () => ({}),
  track_ended: ({ status }) => ({ body: { status } }),
};

function extrasOf<C extends DomainErrorCode>(code: C, details: DomainErrorDetails[C]): HttpExtras {
  const extras: (details: DomainErrorDetails[C]) => HttpExtras = DOMAIN_HTTP[code];
  return extras(details);
}

/**
 * The HTTP answer to a domain error: the status of its code, its message (a 5xx gets the code's
 * default message: the service's words may name internals), the details meant for clients, headers.
 */
export function httpErrorOf(err: DomainError): ApiError {
  const { body = {}, headers = {} } = extrasOf(err.code, err.details);
  const message = ERRORS[err.code].status >= 500 ? undefined : err.message;
  return new ApiError(err.code, message, body, headers);
}
