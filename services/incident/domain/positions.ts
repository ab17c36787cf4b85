import type { Case, KnownPosition, MaybePosition } from '../../../protocol/index.js';
import { Changes } from './changes.js';
import type { DecideContext, Decision, VehicleAggregate } from './state.js';

/**
 * What ingest knows of a car's whereabouts from its telemetry (D2.1): the newest fix, and earlier ones
 * at least POSITION_MIN_METRES apart, oldest first. Pure data, read before a decision.
 */
export interface KnownPositions {
  last: KnownPosition;
  track: KnownPosition[];
}

/** How many earlier positions a case carries (eCall's recent locations; contract "Position": up to 3). */
export const TRACK_LENGTH = 3;

const EARTH_RADIUS_M = 6_371_000;
const RAD = Math.PI / 180;

/**
 * Metres between two fixes, equirectangular: exact enough at the few hundred metres this compares
 * (error under 0.1% below 10 km at Japan's latitudes), and no trigonometry but one cosine.
 */
export function distanceMetres(a: Pick<KnownPosition, 'lat' | 'lon'>, b: Pick<KnownPosition, 'lat' | 'lon'>): number {
  const x = (b.lon - a.lon) * RAD * Math.cos(((a.lat + b.lat) / 2) * RAD);
  const y = (b.lat - a.lat) * RAD;
  return Math.sqrt(x * x + y * y) * EARTH_RADIUS_M;
}

/** An event's or a telemetry sample's position as a known position, at the car's `ts`; null when unknown (D2.7). */
export function knownAt(position: MaybePosition, ts: string): KnownPosition | null {
  if (position === null) return null;
  const p: KnownPosition = { lat: position.lat, lon: position.lon, at: ts, trusted: position.trusted };
  if (position.headingDeg !== undefined) p.headingDeg = position.headingDeg;
  return p;
}

/**
 * The newest of `points` (the last known position) and up to TRACK_LENGTH earlier ones, each at least
 * `minMetres` from the next newer one picked (closer ones are GNSS noise, not a track), oldest first.
 * Times are the cars' ISO strings, which compare as text. Of two points with the same time the first
 * given wins (callers put the freshest source first).
 */
export function recentPositions(points: readonly (KnownPosition | null | undefined)[], minMetres: number): { lastKnownPosition: KnownPosition | null; track: KnownPosition[] } {
  const known = points.filter((p): p is KnownPosition => p !== null && p !== undefined);
  // Stable sort, newest first: the first given of equal times stays ahead.
  known.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
  const last = known[0];
  if (last === undefined) return { lastKnownPosition: null, track: [] };
  const track: KnownPosition[] = [];
  let newer = last;
  for (const p of known) {
    if (track.length >= TRACK_LENGTH) break;
    if (p.at >= newer.at || distanceMetres(p, newer) < minMetres) continue;
    track.push(p);
    newer = p;
  }
  return { lastKnownPosition: last, track: track.reverse() };
}

/**
 * Whether a case showing `shown` should move on to `next` (contract "Position": kept up to date while
 * the case is open). A case without a position takes the first fix at once (D2.7: the operator was
 * asking the caller). Otherwise at most one update per POSITION_CASE_UPDATE_SECONDS, counted on the
 * fixes' own times, so every instance deciding on the stored case agrees, and only for a move of at
 * least POSITION_MIN_METRES or a change of trust (a fix regained after a tunnel, or lost).
 */
export function positionWorthUpdating(shown: KnownPosition | null | undefined, next: KnownPosition, ctx: Pick<DecideContext, 'positionCaseUpdateMs' | 'positionMinMetres'>): boolean {
  if (!shown) return true;
  if (next.at <= shown.at) return false;
  if (Date.parse(next.at) - Date.parse(shown.at) < ctx.positionCaseUpdateMs) return false;
  return shown.trusted !== next.trusted || distanceMetres(shown, next) >= ctx.positionMinMetres;
}

/** The case's last known position and track with what is known now added. */
export function withPositions<C extends Pick<Case, 'lastKnownPosition' | 'track'>>(c: C, fresh: readonly (KnownPosition | null | undefined)[], minMetres: number): C {
  const { lastKnownPosition, track } = recentPositions([...fresh, c.lastKnownPosition, ...(c.track ?? [])], minMetres);
  return { ...c, lastKnownPosition, track };
}

/** D2.1: telemetry moved the car; its open cases show where it is now (a `case.updated` each). */
export function decidePosition(aggregate: VehicleAggregate, known: KnownPositions, ctx: DecideContext): Decision {
  const ch = new Changes(aggregate, ctx);
  let updated = 0;
  for (const { id } of aggregate.cases) {
    const c = ch.case(id)!;
    if (c.status !== 'open' || !positionWorthUpdating(c.lastKnownPosition, known.last, ctx)) continue;
    ch.putCase(withPositions(c, [known.last, ...known.track], ctx.positionMinMetres));
    updated++;
  }
  return ch.finish(updated > 0 ? `last known position of ${updated} open case(s) updated from telemetry (D2.1)` : 'position: nothing to update');
}
