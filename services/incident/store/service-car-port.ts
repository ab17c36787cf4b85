import type { Position } from '../../../protocol/index.js';

/** One service car's newest fix (D4.6): `at` is the service car's own `ts`. */
export interface ServiceCarFix {
  id: string;
  position: Position;
  at: string;
}

/**
 * The store's part in service-car arrival (contract "Service-car arrival", D4.6).
 *
 * Tracking tokens: `token -> caseId`, an index written just before the commit that puts the token on
 * its dispatch (services/incident/dispatch-actions.ts). An entry whose commit then failed points at a
 * case without that token, and the reader finds nothing (track.ts checks the dispatch carries the
 * token), so writing it first and apart from the commit is safe.
 *
 * Service-car positions: batches of the newest fix per service car (service-cars.ts keeps them in
 * memory and saves those that moved every POSITION_FLUSH_MS, as the cars' positions); both adapters
 * keep a fix only if newer (`at`) than the one kept, so batches of several instances add up in any order.
 */
export interface ServiceCarStore {
  putTrackToken(token: string, caseId: string): Promise<void>;
  /** The case a token was issued on, or null. */
  findTrackToken(token: string): Promise<string | null>;
  saveServiceCarFixes(fixes: ServiceCarFix[]): Promise<void>;
  loadServiceCarFix(id: string): Promise<ServiceCarFix | null>;
}

export const SERVICE_CAR_POLICY = {
  /** A token outlives any dispatch; the link itself stops when the dispatch is finished (track.ts). */
  tokenTtlSeconds: 30 * 24 * 3600,
  /** A service car silent this long is forgotten. */
  fixTtlSeconds: 24 * 3600,
} as const;

/** Newer wins: fixed-width ISO times compare as text. */
export function newerFix(kept: ServiceCarFix | undefined, next: ServiceCarFix): boolean {
  return kept === undefined || next.at > kept.at;
}
