import type { RouteDef, TunnelDef } from './types.js';

const EARTH_RADIUS_KM = 6371.0088;
const rad = (d: number) => (d * Math.PI) / 180;
const deg = (r: number) => (r * 180) / Math.PI;

export function haversineKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const dLat = rad(lat2 - lat1);
  const dLon = rad(lon2 - lon1);
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(rad(lat1)) * Math.cos(rad(lat2)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(a)));
}

/** Initial bearing from point 1 to point 2, degrees in [0, 360). */
export function bearingDeg(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const y = Math.sin(rad(lon2 - lon1)) * Math.cos(rad(lat2));
  const x = Math.cos(rad(lat1)) * Math.sin(rad(lat2)) - Math.sin(rad(lat1)) * Math.cos(rad(lat2)) * Math.cos(rad(lon2 - lon1));
  return (deg(Math.atan2(y, x)) + 360) % 360;
}

export interface RoutePose {
  /** Kilometre post (route scale, includes `kmAtStart`). */
  km: number;
  lat: number;
  lon: number;
  headingDeg: number;
  /** Nearest labelled point behind the car, e.g. "Atsugi IC" (for "road, direction, kilometre post", D5.8). */
  lastLabel: string | undefined;
  tunnel: TunnelDef | undefined;
}

/** A route with precomputed kilometre posts at each vertex: `poseAt(km)` is a binary search. */
export class Route {
  readonly def: RouteDef;
  /** Kilometre post of each vertex. */
  readonly kms: number[];

  constructor(def: RouteDef) {
    if (def.points.length < 2) throw new Error(`route ${def.id}: needs at least two points`);
    this.def = def;
    this.kms = [def.kmAtStart];
    for (let i = 1; i < def.points.length; i++) {
      const [a, b] = [def.points[i - 1]!, def.points[i]!];
      this.kms.push(this.kms[i - 1]! + haversineKm(a[0], a[1], b[0], b[1]));
    }
  }

  get startKm(): number {
    return this.kms[0]!;
  }

  get endKm(): number {
    return this.kms[this.kms.length - 1]!;
  }

  get lengthKm(): number {
    return this.endKm - this.startKm;
  }

  /** Position on the polyline at a kilometre post (clamped to the route). */
  poseAt(kmPost: number): RoutePose {
    const km = Math.min(this.endKm, Math.max(this.startKm, kmPost));
    let lo = 0;
    let hi = this.kms.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (this.kms[mid]! <= km) lo = mid;
      else hi = mid;
    }
    const a = this.def.points[lo]!;
    const b = this.def.points[hi]!;
    const span = this.kms[hi]! - this.kms[lo]!;
    const f = span > 0 ? (km - this.kms[lo]!) / span : 0;
    let lastLabel: string | undefined;
    for (let i = lo; i >= 0 && lastLabel === undefined; i--) lastLabel = this.def.points[i]![2];
    return {
      km,
      lat: a[0] + (b[0] - a[0]) * f,
      lon: a[1] + (b[1] - a[1]) * f,
      headingDeg: Math.round(bearingDeg(a[0], a[1], b[0], b[1]) * 10) / 10 % 360,
      lastLabel,
      tunnel: this.tunnelAt(km),
    };
  }

  tunnelAt(km: number): TunnelDef | undefined {
    return this.def.tunnels.find((t) => km >= t.fromKm && km <= t.toKm);
  }

  /** Kilometre post of a labelled point. */
  kmOf(label: string): number | undefined {
    const i = this.def.points.findIndex((p) => p[2] === label);
    return i < 0 ? undefined : this.kms[i];
  }
}
