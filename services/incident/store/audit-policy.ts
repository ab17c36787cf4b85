import type { AuditEntry } from '../../../protocol/index.js';
import type { AuditStoreQuery } from './audit-port.js';

/**
 * How both adapters answer `listAudit` (the contract suite holds them to it, like policy.ts for cases):
 * entries newest first, in commit order (not by `at`: instances' clocks differ a little); filters on
 * case, actor id and time combine; `before` pages on from an entry. A `since` scan stops at the first
 * entry older than `since - AUDIT_SINCE_SLACK_MS`: entries are committed in roughly `at` order, and
 * the slack lets an entry stamped by a slightly slow clock still be found, without reading the whole log.
 */
export const AUDIT_SINCE_SLACK_MS = 60_000;

export function auditMatches(entry: Pick<AuditEntry, 'caseId' | 'actor' | 'at'>, query: AuditStoreQuery): boolean {
  if (query.caseId !== undefined && entry.caseId !== query.caseId) return false;
  if (query.actor !== undefined && entry.actor.id !== query.actor) return false;
  if (query.since !== undefined && Date.parse(entry.at) < query.since) return false;
  return true;
}

/** True when a newest-first scan may stop at this entry (and everything older). */
export function auditScanDone(atMs: number, query: AuditStoreQuery): boolean {
  return query.since !== undefined && atMs < query.since - AUDIT_SINCE_SLACK_MS;
}
