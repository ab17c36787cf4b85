/**
 * "Road, direction, kilometre post" (D5.8) for a position on an expressway, offline. The road data is
 * ../data/roads.json, generated from the simulator's routes (tests/unit/console-roads.test.ts keeps it
 * equal to them): one road dataset for both.
 */
export interface RoadData {
  id: string;
  name: string;
  nameJa: string;
  /** [lat, lon, kilometre post, interchange label?] in the order of increasing kilometre posts. */
  points: ([number, number, number] | [number, number, number, string])[];
  tunnels: { name: string; fromKm: number; toKm: number }[];
}

export interface RoadFix {
  road: RoadData;
  /** Kilometre post at the nearest point of the road. */
  km: number;
  /** Metres from the road. */
  distanceM: number;
  /** The end the car is heading for (an interchange label), null when its direction is unknown. */
  towards: string | null;
  /** Labelled points either side (interchanges, junctions). */
  after: string | null;
  before: string | null;
  tunnel: string | null;
}

/** Farther than this from every road, a position is not on one (the data is approximate). */
export const ON_ROAD_METRES = 300;

const KM_PER_DEG_LAT = 110.574;
const rad = (d: number) => (d * Math.PI) / 180;

/** Bearing from a to b, degrees clockwise from north. */
function bearing(aLat: number, aLon: number, bLat: number, bLon: number): number {
  const y = Math.sin(rad(bLon - aLon)) * Math.cos(rad(bLat));
  const x = Math.cos(rad(aLat)) * Math.sin(rad(bLat)) - Math.sin(rad(aLat)) * Math.cos(rad(bLat)) * Math.cos(rad(bLon - aLon));
  return ((Math.atan2(y, x) * 180) / Math.PI + 360) % 360;
}

interface Hit {
  road: RoadData;
  seg: number;
  t: number;
  distanceM: number;
}

function nearestOn(road: RoadData, lat: number, lon: number): Hit {
  // Local flat-earth metres around the point: exact enough over a road segment's few kilometres.
  const kx = 111.32 * Math.cos(rad(lat)) * 1000;
  const ky = KM_PER_DEG_LAT * 1000;
  let best: Hit = { road, seg: 0, t: 0, distanceM: Infinity };
  for (let i = 1; i < road.points.length; i++) {
    const a = road.points[i - 1]!;
    const b = road.points[i]!;
    const ax = (a[1] - lon) * kx;
    const ay = (a[0] - lat) * ky;
    const dx = (b[1] - a[1]) * kx;
    const dy = (b[0] - a[0]) * ky;
    const len2 = dx * dx + dy * dy;
    const t = len2 > 0 ? Math.min(1, Math.max(0, -(ax * dx + ay * dy) / len2)) : 0;
    const d = Math.hypot(ax + t * dx, ay + t * dy);
    if (d < best.distanceM) best = { road, seg: i, t, distanceM: d };
  }
  return best;
}

const kmAt = (h: Hit) => {
  const a = h.road.points[h.seg - 1]!;
  const b = h.road.points[h.seg]!;
  return a[2] + h.t * (b[2] - a[2]);
};

/**
 * The road a position is on (within ON_ROAD_METRES), its kilometre post, and the direction of travel:
 * from the heading when the car sent one, else from an earlier position on the same road.
 */
export function nearestRoad(
  roads: readonly RoadData[],
  lat: number,
  lon: number,
  opts: { headingDeg?: number; earlier?: readonly { lat: number; lon: number }[] },
): RoadFix | null {
  let hit: Hit | null = null;
  for (const road of roads) {
    const h = nearestOn(road, lat, lon);
    if (!hit || h.distanceM < hit.distanceM) hit = h;
  }
  if (!hit || hit.distanceM > ON_ROAD_METRES) return null;
  const { road } = hit;
  const km = kmAt(hit);
  const first = road.points[0]!;
  const last = road.points[road.points.length - 1]!;
  const endOf = (p: RoadData['points'][number]) => p[3] ?? road.nameJa;
  let up: boolean | null = null;
  if (opts.headingDeg !== undefined) {
    const a = road.points[hit.seg - 1]!;
    const b = road.points[hit.seg]!;
    const diff = Math.abs(((opts.headingDeg - bearing(a[0], a[1], b[0], b[1]) + 540) % 360) - 180);
    up = diff < 90;
  } else {
    for (const p of [...(opts.earlier ?? [])].reverse()) {
      const h = nearestOn(road, p.lat, p.lon);
      if (h.distanceM > ON_ROAD_METRES) continue;
      const before = kmAt(h);
      if (Math.abs(before - km) > 0.02) {
        up = before < km;
        break;
      }
    }
  }
  const labels = road.points.filter((p) => p[3] !== undefined);
  const behindUp = [...labels].reverse().find((p) => p[2] <= km) ?? null;
  const aheadUp = labels.find((p) => p[2] > km) ?? null;
  const tunnel = road.tunnels.find((t) => km >= t.fromKm && km <= t.toKm);
  return {
    road,
    km,
    distanceM: hit.distanceM,
    towards: up === null ? null : endOf(up ? last : first),
    after: behindUp?.[3] ?? null,
    before: aheadUp?.[3] ?? null,
    tunnel: tunnel?.name ?? null,
  };
}
