import { ROLES, type AuditActor, type Role } from '../../protocol/index.js';

/**
 * Who is calling (issue 11), as the auth plugin found out:
 * - `operator`: a logged-in account (AUTH=on), with its token's hash (logout) and expiry;
 * - `service`: the API_TOKEN, a service token with the admin role;
 * - `open`: AUTH=off, no roles; `token` when API_TOKEN is set (and was presented).
 */
export type Principal =
  | { kind: 'operator'; username: string; displayName: string; role: Role; tokenHash: string; expiresAt: number }
  | { kind: 'service'; role: 'admin' }
  | { kind: 'open'; token: boolean };

/** What a route needs: `public` (no credentials: the login), or the least role (AUTH=on). */
export type Access = 'public' | Role;

/** Roles grow one way: a supervisor may do what an operator may, an admin what a supervisor may. */
export function hasRole(role: Role, required: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(required);
}

/** May this caller do what needs `required`? With AUTH=off everyone may (the contract's "off"). */
export function allows(principal: Principal, required: Role): boolean {
  return principal.kind === 'open' || hasRole(principal.role, required);
}

export const SERVICE_ACTOR: AuditActor = { kind: 'service', id: 'api-token' };
