import type { AuditEntry } from '../../../protocol/index.js';

/**
 * What the store keeps of the audit (issue 11, part 5): an append-only log, in the order entries were
 * committed. A car's change carries its entries in its own `Commit` (port.ts `Commit.audit`); account,
 * login and credential changes write theirs in the same atomic step (identity-port.ts); `appendAudit`
 * is for what changes nothing else (a refused request, a failed login).
 */
export interface AuditStore {
  appendAudit(entries: AuditEntry[]): Promise<void>;
  /** Newest first, by audit-policy.ts; null when `before` names no entry. */
  listAudit(query: AuditStoreQuery): Promise<AuditEntry[] | null>;
}

export interface AuditStoreQuery {
  caseId?: string;
  /** Matches `actor.id`. */
  actor?: string;
  /** Epoch ms: entries at or after it. */
  since?: number;
  limit: number;
  /** An entry id: only entries committed before that one. */
  before?: string;
}
