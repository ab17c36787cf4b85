/**
 * Every error the HTTP API answers with (STYLE 7): a stable code, its status, and a default message.
 * The error handler hides 5xx internals; clients branch on `error`, people read `message`.
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
  not_found: { status: 404, message: 'no such resource' },
  case_not_found: { status: 404, message: 'no such case' },
  session_not_found: { status: 404, message: 'no such voice session' },
  case_taken: { status: 409, message: 'another operator has this case' },
  case_closed: { status: 409, message: 'the case is closed' },
  call_not_active: { status: 409, message: 'the call is not active' },
  call_active: { status: 409, message: 'the call is still active' },
  busy: { status: 409, message: 'the vehicle changed concurrently too often; try again' },
  locked_out: { status: 423, message: 'the feature is locked out after an emergency call (D3)' },
  request_timeout: { status: 408, message: 'the request did not arrive in time' },
  payload_too_large: { status: 413, message: 'the request body is too large' },
  headers_too_large: { status: 431, message: 'the request headers are too large' },
  rate_limited: { status: 429, message: 'too many requests' },
  internal: { status: 500, message: 'internal error' },
  unavailable: { status: 503, message: 'a dependency is unavailable' },
} as const;
export type ErrorCode = keyof typeof ERRORS;

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
