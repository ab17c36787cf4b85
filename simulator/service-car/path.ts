import { Route, haversineKm } from '../routes/geometry.js';
import type { RouteDef, RoutePoint, TunnelDef } from '../routes/types.js';

/** A point on the map: the depot, the scene. */
export interface LatLon {
  lat: number;
  lon: number;
}

const M_PER_DEG = 111_320;

/** Parses `35.6812,139.7671` (latitude first, as maps show it); null when it is not a point on Earth. */
export function parseLatLon(text: string): LatLon | null {
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$/.exec(text);
  if (!m) return null;
  const lat = Number(m[1]);
  const lon = Number(m[2]);
  return lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180 ? { lat, lon } : null;
}

/**
 * The path a service car drives, as a Route (so `RouteDriver` moves along it as along a road): the
 * straight line from depot to scene; or, with a road, depot -> the nearest point of the road -> along
 * the road -> the road's point nearest the scene -> scene. Kilometre posts run from 0 at the depot.
 * `noiseM` is 0: a service car's navigation unit reports the point on its path (no GNSS jitter), so
 * its progress reads cleanly on the owner's track page; tunnels of the road keep their fix rule (D2.7).
 */
export function servicePath(from: LatLon, to: LatLon, road?: Route): Route {
  const points: RoutePoint[] = [[from.lat, from.lon, 'depot']];
  const tunnels: TunnelDef[] = [];
  if (road) {
    const a = nearestKm(road, from);
    const b = nearestKm(road, to);
    const dir = b >= a ? 1 : -1;
    const entry = road.poseAt(a);
    const offset = haversineKm(from.lat, from.lon, entry.lat, entry.lon); // depot to the road
    points.push([entry.lat, entry.lon]);
    const inner = road.kms.map((km, i) => ({ km, i })).filter(({ km }) => (dir === 1 ? km > a && km < b : km < a && km > b));
    if (dir === -1) inner.reverse();
    for (const { i } of inner) points.push(road.def.points[i]!);
    const exit = road.poseAt(b);
    points.push([exit.lat, exit.lon]);
    const along = (km: number) => offset + Math.abs(km - a);
    for (const t of road.def.tunnels) {
      const lo = Math.max(Math.min(a, b), t.fromKm);
      const hi = Math.min(Math.max(a, b), t.toKm);
      if (lo < hi) tunnels.push({ name: t.name, fix: t.fix, fromKm: Math.min(along(lo), along(hi)), toKm: Math.max(along(lo), along(hi)) });
    }
  }
  points.push([to.lat, to.lon, 'scene']);
  const def: RouteDef = {
    id: road ? `service-path-${road.def.id}` : 'service-path-straight',
    name: road ? `depot to scene by ${road.def.name}` : 'depot to scene (straight line)',
    nameJa: road?.def.nameJa ?? '',
    description: 'the path of a simulated service car',
    kmAtStart: 0,
    speedLimitKmh: road?.def.speedLimitKmh ?? 60,
    noiseM: 0,
    points: dedupe(points),
    tunnels,
  };
  return new Route(def);
}

/** Consecutive equal points (the depot on the road, the scene at the road's end) would make zero-length legs: harmless, but noise in the path. */
function dedupe(points: RoutePoint[]): RoutePoint[] {
  const out: RoutePoint[] = [];
  for (const p of points) {
    const last = out[out.length - 1];
    if (last && last[0] === p[0] && last[1] === p[1]) {
      if (p[2] !== undefined && last[2] === undefined) out[out.length - 1] = p;
      continue;
    }
    out.push(p);
  }
  if (out.length === 1) out.push(out[0]!); // depot = scene: a path of length 0, arrived at once
  return out;
}

/** Kilometre post of the route's point nearest `p` (segments projected on a local flat map: fine at a few km). */
export function nearestKm(route: Route, p: LatLon): number {
  const pts = route.def.points;
  const cos = Math.cos((p.lat * Math.PI) / 180);
  let best = { d: Infinity, km: route.startKm };
  for (let i = 1; i < pts.length; i++) {
    const [aLat, aLon] = pts[i - 1]!;
    const [bLat, bLon] = pts[i]!;
    const ax = (aLon - p.lon) * cos * M_PER_DEG;
    const ay = (aLat - p.lat) * M_PER_DEG;
    const bx = (bLon - p.lon) * cos * M_PER_DEG;
    const by = (bLat - p.lat) * M_PER_DEG;
    const dx = bx - ax;
    const dy = by - ay;
    const len2 = dx * dx + dy * dy;
    const t = len2 > 0 ? Math.max(0, Math.min(1, -(ax * dx + ay * dy) / len2)) : 0;
    const d = Math.hypot(ax + t * dx, ay + t * dy);
    if (d < best.d) best = { d, km: route.kms[i - 1]! + t * (route.kms[i]! - route.kms[i - 1]!) };
  }
  return best.km;
}
