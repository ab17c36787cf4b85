import type { KnownPosition } from '../../../protocol/index.js';
import type { KnownPositions } from '../domain/positions.js';
import { POSITION_POLICY, type PositionUpdate } from './positions-port.js';

interface Kept {
  last: KnownPosition;
  /** Oldest first, one per `at`, at most POSITION_POLICY.trackKept. */
  track: KnownPosition[];
  savedAt: number;
}

/** A copy that shares nothing with the caller's object (spelled out: this runs for every car every second). */
function copy(p: KnownPosition): KnownPosition {
  const c: KnownPosition = { lat: p.lat, lon: p.lon, at: p.at, trusted: p.trusted };
  if (p.headingDeg !== undefined) c.headingDeg = p.headingDeg;
  return c;
}

/**
 * Overwrites `to` with `from`, in place: a car's record lives long (the old generation of the heap),
 * and a fresh object stored in it every second per car would be promoted and collected there.
 */
function assign(to: KnownPosition, from: KnownPosition): void {
  to.lat = from.lat;
  to.lon = from.lon;
  to.at = from.at;
  to.trusted = from.trusted;
  if (from.headingDeg !== undefined) to.headingDeg = from.headingDeg;
  else delete to.headingDeg;
}

/** Adds a point in time order (the usual case: after the newest), one per `at`, keeping the newest few. */
function addPoint(track: KnownPosition[], p: KnownPosition): void {
  let i = track.length;
  while (i > 0 && track[i - 1]!.at > p.at) i--;
  if (i > 0 && track[i - 1]!.at === p.at) return;
  track.splice(i, 0, copy(p));
  if (track.length > POSITION_POLICY.trackKept) track.shift();
}

/**
 * The memory adapter's positions (positions-port.ts): merged per car, forgotten after the TTL on the
 * store's clock. Saving is the per-car-per-second cost of the design (10,000 cars: 10,000 updates a
 * second), so it allocates one small object per car and sorts nothing in the usual case.
 */
export class MemoryPositions {
  private readonly cars = new Map<string, Kept>();

  save(updates: PositionUpdate[], now: number): void {
    for (const u of updates) {
      let kept = this.fresh(u.vin, now);
      if (kept === undefined) {
        kept = { last: copy(u.last), track: [], savedAt: now };
        this.cars.set(u.vin, kept);
      } else {
        if (u.last.at > kept.last.at) assign(kept.last, u.last);
        kept.savedAt = now;
      }
      for (const p of u.track) addPoint(kept.track, p);
    }
  }

  load(vin: string, now: number): KnownPositions | null {
    const kept = this.fresh(vin, now);
    return kept ? { last: copy(kept.last), track: kept.track.map(copy) } : null;
  }

  private fresh(vin: string, now: number): Kept | undefined {
    const kept = this.cars.get(vin);
    if (kept !== undefined && now - kept.savedAt >= POSITION_POLICY.ttlSeconds * 1000) {
      this.cars.delete(vin);
      return undefined;
    }
    return kept;
  }
}
