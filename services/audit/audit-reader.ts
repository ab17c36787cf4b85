import { AUDIT_LIMIT_DEFAULT, type AuditPage, type AuditQuery } from '../../protocol/index.js';
import { DomainError } from '../incident/domain-errors.js';
import type { Store } from '../incident/store/port.js';

/**
 * `GET /v1/audit` (issue 11, part 5): the store's log, newest first, filtered and paged
 * (services/incident/store/audit-policy.ts). `next` is the last entry's id when the page is full: pass
 * it as `before` for the page after. Throws `unknown_cursor` when `before` names no entry.
 */
export async function readAudit(store: Pick<Store, 'listAudit'>, query: AuditQuery): Promise<AuditPage> {
  const limit = query.limit === undefined ? AUDIT_LIMIT_DEFAULT : Number(query.limit);
  const entries = await store.listAudit({
    limit,
    ...(query.caseId !== undefined ? { caseId: query.caseId } : {}),
    ...(query.actor !== undefined ? { actor: query.actor } : {}),
    ...(query.since !== undefined ? { since: Date.parse(query.since) } : {}),
    ...(query.before !== undefined ? { before: query.before } : {}),
  });
  if (entries === null) throw new DomainError('unknown_cursor', `no audit entry ${query.before}`, { before: query.before ?? '' });
  return entries.length === limit && limit > 0 ? { entries, next: entries.at(-1)!.id } : { entries };
}
