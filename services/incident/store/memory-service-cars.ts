import { newerFix, SERVICE_CAR_POLICY, type ServiceCarFix } from './service-car-port.js';
import { cloneData } from '../../../lib/clone.js';

/** The memory adapter's part of service-car-port.ts: tokens and newest fixes, forgotten after their TTL on the store's clock. */
export class MemoryServiceCars {
  private readonly tokens = new Map<string, { caseId: string; savedAt: number }>();
  private readonly fixes = new Map<string, { fix: ServiceCarFix; savedAt: number }>();

  putToken(token: string, caseId: string, now: number): void {
    this.tokens.set(token, { caseId, savedAt: now });
  }

  findToken(token: string, now: number): string | null {
    const kept = this.tokens.get(token);
    if (!kept) return null;
    if (now - kept.savedAt >= SERVICE_CAR_POLICY.tokenTtlSeconds * 1000) {
      this.tokens.delete(token);
      return null;
    }
    return kept.caseId;
  }

  save(fixes: ServiceCarFix[], now: number): void {
    for (const f of fixes) {
      const kept = this.fixes.get(f.id);
      if (kept && now - kept.savedAt < SERVICE_CAR_POLICY.fixTtlSeconds * 1000 && !newerFix(kept.fix, f)) continue;
      this.fixes.set(f.id, { fix: cloneData(f), savedAt: now });
    }
  }

  load(id: string, now: number): ServiceCarFix | null {
    const kept = this.fixes.get(id);
    if (!kept) return null;
    if (now - kept.savedAt >= SERVICE_CAR_POLICY.fixTtlSeconds * 1000) {
      this.fixes.delete(id);
      return null;
    }
    return cloneData(kept.fix);
  }
}
