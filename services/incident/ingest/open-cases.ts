import type { Case, FeedMessage, KnownPosition } from '../../../protocol/index.js';
import { positionWorthUpdating, type DecideContext } from '../domain/index.js';

type Rules = Pick<DecideContext, 'positionCaseUpdateMs' | 'positionMinMetres'>;

/**
 * The open cases of each car with the position each shows, kept from the feed (which every instance
 * sharing the store reads, in commit order), so that a telemetry sample finds out without a store read
 * whether its car has a case due a position update. Small: one entry per open case.
 */
export class OpenCaseIndex {
  private readonly byVin = new Map<string, Map<string, KnownPosition | null>>();

  constructor(private readonly rules: Rules) {}

  /** Cars with at least one open case. */
  get size(): number {
    return this.byVin.size;
  }

  has(vin: string): boolean {
    return this.byVin.has(vin);
  }

  apply(m: FeedMessage): void {
    if (m.type === 'case.opened' || m.type === 'case.updated' || m.type === 'case.closed') this.note(m.case);
  }

  seed(cases: Case[]): void {
    for (const c of cases) this.note(c);
  }

  note(c: Case): void {
    let cases = this.byVin.get(c.vin);
    if (c.status !== 'open') {
      cases?.delete(c.id);
      if (cases?.size === 0) this.byVin.delete(c.vin);
      return;
    }
    if (!cases) this.byVin.set(c.vin, (cases = new Map()));
    cases.set(c.id, c.lastKnownPosition ?? null);
  }

  /** True when a case of the car would take `next` as its last known position (domain/positions.ts). */
  due(vin: string, next: KnownPosition): boolean {
    const cases = this.byVin.get(vin);
    if (!cases) return false;
    for (const shown of cases.values()) if (positionWorthUpdating(shown, next, this.rules)) return true;
    return false;
  }
}
