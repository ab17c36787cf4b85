import { ErrorBody, LockedOutBody } from '../../../protocol/index.js';

/**
 * The error answers a route can give (protocol/http.ts schemas; the OpenAPI document lists them). Every
 * route may answer 400 (bad input), 401 (API_TOKEN or, with AUTH=on, no valid login token), 403 (issue 11:
 * the caller's role may not, or it named another operator), 500 (a fault; internals hidden) and 503
 * `unavailable` with Retry-After (the store cannot be reached); the domain errors of each route add
 * 404, 409 and 423 (errors.ts maps each code to its status).
 */
export const common = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 500: ErrorBody, 503: ErrorBody } as const;
/** Operator actions and reads of one case or session: `case_not_found`, refusals and `busy`. */
export const caseErrors = { ...common, 404: ErrorBody, 409: ErrorBody } as const;
/** Requests to a car: `locked_out` (D3) with Retry-After, and `busy`. */
export const lockedErrors = { ...common, 409: ErrorBody, 423: LockedOutBody } as const;
