import type { AuditEntry } from '../../../protocol/index.js';
import type { AuditStoreQuery } from './audit-port.js';
import { auditMatches, auditScanDone } from './audit-policy.js';
import { cloneData } from '../../../lib/clone.js';

/**
 * The memory store's audit log: an append-only array in commit order, with indexes by case and by actor
 * id (positions in the array) so that a filtered page reads only what it returns. Kept for the process's
 * lifetime, like the rest of the memory store.
 */
export class MemoryAuditLog {
  private readonly entries: AuditEntry[] = [];
  private readonly byId = new Map<string, number>();
  private readonly byCase = new Map<string, number[]>();
  private readonly byActor = new Map<string, number[]>();

  append(entries: readonly AuditEntry[]): void {
    for (const entry of entries) {
      const at = this.entries.push(cloneData(entry)) - 1;
      this.byId.set(entry.id, at);
      if (entry.caseId !== undefined) push(this.byCase, entry.caseId, at);
      push(this.byActor, entry.actor.id, at);
    }
  }

  list(query: AuditStoreQuery): AuditEntry[] | null {
    let end = this.entries.length;
    if (query.before !== undefined) {
      const at = this.byId.get(query.before);
      if (at === undefined) return null;
      end = at;
    }
    // The narrowest index that applies: a case's entries, an actor's, or all.
    const positions = query.caseId !== undefined ? (this.byCase.get(query.caseId) ?? []) : query.actor !== undefined ? (this.byActor.get(query.actor) ?? []) : null;
    const out: AuditEntry[] = [];
    const visit = (entry: AuditEntry): boolean => {
      if (auditScanDone(Date.parse(entry.at), query)) return false;
      if (auditMatches(entry, query)) out.push(cloneData(entry));
      return out.length < query.limit;
    };
    if (positions) {
      for (let i = positions.length - 1; i >= 0; i--) if (positions[i]! < end && !visit(this.entries[positions[i]!]!)) break;
    } else {
      for (let i = end - 1; i >= 0; i--) if (!visit(this.entries[i]!)) break;
    }
    return out;
  }
}

function push(map: Map<string, number[]>, key: string, at: number): void {
  const list = map.get(key);
  if (list) list.push(at);
  else map.set(key, [at]);
}
