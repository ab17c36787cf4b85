/**
 * How a tunnel (or other covered stretch) affects the GNSS fix (D2.7):
 * - `untrusted`: the TCU dead-reckons; it sends a position but marks it `trusted: false`;
 * - `none`: no fix at all; events carry `position: null` and the operator asks the caller.
 */
export type FixLoss = 'untrusted' | 'none';

export interface TunnelDef {
  name: string;
  fromKm: number;
  toKm: number;
  fix: FixLoss;
}

/** A vertex of the polyline; `label` names an interchange/junction there. */
export type RoutePoint = readonly [lat: number, lon: number, label?: string];

/**
 * A real road shipped as data. Coordinates are APPROXIMATE (hand-placed from memory of public maps,
 * good to a few hundred metres, enough for a simulator, not for navigation). Kilometre posts are the
 * distance along the polyline from its first point plus `kmAtStart`, so they only approximate the
 * posts on the real road.
 */
export interface RouteDef {
  id: string;
  name: string;
  nameJa: string;
  description: string;
  /** Kilometre post of the first point. */
  kmAtStart: number;
  speedLimitKmh: number;
  /** Standard deviation of the position noise in metres (open sky ~4 m, urban canyon more). */
  noiseM: number;
  points: readonly RoutePoint[];
  /** Kilometre posts on this route's own scale (after `kmAtStart`). */
  tunnels: readonly TunnelDef[];
}
