import type { KnownPosition } from '../../../protocol/index.js';
import type { KnownPositions } from '../domain/positions.js';

/**
 * What one instance saw of a car's positions (issue 12, "Position"; D2.1, D2.7) since it last saved:
 * the newest fix and its track points (fixes at least POSITION_MIN_METRES apart). Telemetry is never
 * written sample by sample: ingest keeps positions in memory and saves the cars that moved, in one
 * batch, every POSITION_FLUSH_MS (ingest/positions.ts), so that an instance handling a car's event
 * sees the fixes another instance received (shared subscriptions spread one car over instances).
 */
export interface PositionUpdate {
  vin: string;
  last: KnownPosition;
  track: KnownPosition[];
}

/**
 * The store's part in positions. Both adapters merge, so that batches from several instances add up
 * whatever their order: `last` is replaced only by a newer fix (`at`, the car's clock), track points
 * are added (one per `at`) and only the newest POSITION_POLICY.trackKept are kept. A car not saved for
 * POSITION_POLICY.ttlSeconds is forgotten. tests/helpers/store-contract.ts holds both adapters to it.
 */
export interface PositionStore {
  /**
   * False when no other process can read what is saved (the memory store lives in this process only):
   * the tracker then keeps positions to itself and neither saves batches nor reads them back, since
   * at 10,000 cars a batch per second costs a fifth of the telemetry path (bench/micro/telemetry-ingest.ts).
   */
  readonly positionsShared: boolean;
  savePositions(updates: PositionUpdate[]): Promise<void>;
  /** The car's newest fix and its kept track points, oldest first; null when none is kept. */
  loadPositions(vin: string): Promise<KnownPositions | null>;
}

export const POSITION_POLICY = {
  /** Track points kept per car: enough for 3 (TRACK_LENGTH) after thinning batches of several instances. */
  trackKept: 8,
  /** A parked car's last fix is still worth having days later (an SOS from a car that lost its fix). */
  ttlSeconds: 7 * 24 * 3600,
} as const;
