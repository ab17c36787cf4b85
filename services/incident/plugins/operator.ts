import type { FastifyRequest } from 'fastify';
import { USERNAME_PATTERN, type AuditActor } from '../../../protocol/index.js';
import { SERVICE_ACTOR } from '../../identity/roles.js';
import { ApiError } from '../errors.js';

const OPERATOR_ID = new RegExp(USERNAME_PATTERN);

/** The operator a request names itself as: `X-Operator-Id`, else body `operatorId` (the header wins). */
function namedOperator(request: FastifyRequest): string | undefined {
  const header = request.headers['x-operator-id'];
  const fromHeader = Array.isArray(header) ? header[0] : header;
  const fromBody = (request.body as { operatorId?: unknown } | undefined)?.operatorId;
  return fromHeader ?? (typeof fromBody === 'string' ? fromBody : undefined);
}

/**
 * The operator working a case, and who the audit names as acting (issue 11):
 * - a logged-in operator (AUTH=on) is the operator (naming another was refused with 403 by the auth plugin);
 * - the API_TOKEN (a service, AUTH=on or off) names the operator it acts for, and is the actor itself;
 * - AUTH=off: the operator names itself (`X-Operator-Id` or `operatorId`) and is the actor.
 * 400 `operator_required` when nobody is named.
 */
export function caseOperatorOf(request: FastifyRequest): { operatorId: string; actor: AuditActor } {
  const p = request.principal;
  if (p?.kind === 'operator') return { operatorId: p.username, actor: { kind: 'operator', id: p.username } };
  const id = namedOperator(request);
  if (!id || !OPERATOR_ID.test(id)) throw new ApiError('operator_required');
  const service = p?.kind === 'service' || (p?.kind === 'open' && p.token);
  return { operatorId: id, actor: service ? SERVICE_ACTOR : { kind: 'operator', id } };
}

/**
 * Who the audit names for a request that is not a case's (a remote operation, Wi-Fi, accounts): the
 * logged-in operator, the API_TOKEN's service, or with AUTH=off the operator named by `X-Operator-Id`
 * if any, else `{kind: "service", id: "anonymous"}` (AUTH=off without API_TOKEN names nobody).
 */
export function actorOf(request: FastifyRequest): AuditActor {
  const p = request.principal;
  if (p?.kind === 'operator') return { kind: 'operator', id: p.username };
  if (p?.kind === 'service') return SERVICE_ACTOR;
  const id = namedOperator(request);
  if (id && OPERATOR_ID.test(id)) return { kind: 'operator', id };
  return p?.kind === 'open' && p.token ? SERVICE_ACTOR : { kind: 'service', id: 'anonymous' };
}

/** May this caller act on a case another operator holds (release it)? Supervisors and admins; everyone with AUTH=off. */
export function maySupervise(request: FastifyRequest): boolean {
  const p = request.principal;
  return p === null || p.kind === 'open' || p.role !== 'operator';
}
