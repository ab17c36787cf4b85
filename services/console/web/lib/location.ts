import type { Case } from '../../../../protocol/index.js';
import roadsJson from '../data/roads.json' with { type: 'json' };
import { prefectureAt, type PlaceFix } from './prefectures.js';
import { nearestRoad, type RoadData, type RoadFix } from './roads.js';

export const ROADS = roadsJson as RoadData[];

export interface CasePlace {
  lat: number;
  lon: number;
  trusted: boolean;
  /** `event`: the call's own position; `last-known`: the call had none, the car's last report (D2.7). */
  source: 'event' | 'last-known';
  /** When the last-known position was reported (the car's clock). */
  at?: string;
  headingDeg?: number;
  /** km/h, estimated from the last two reported positions. */
  speedKmh?: number;
  place: PlaceFix | null;
  road: RoadFix | null;
  /** Earlier positions, oldest first, then this one: the track to draw. */
  track: { lat: number; lon: number }[];
}

const rad = (d: number) => (d * Math.PI) / 180;
function metres(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const x = rad(b.lon - a.lon) * Math.cos(rad((a.lat + b.lat) / 2));
  const y = rad(b.lat - a.lat);
  return Math.hypot(x, y) * 6_371_000;
}

/** Where to send help for a case: its position, else its last known one, with prefecture and road. */
export function casePlace(c: Case): CasePlace | null {
  const last = c.lastKnownPosition ?? null;
  const pos = c.position ?? last;
  if (!pos) return null;
  const source = c.position ? 'event' : 'last-known';
  const earlier = [...(c.track ?? [])];
  if (c.position && last && metres(last, c.position) > 1) earlier.push(last);
  const headingDeg = c.position?.headingDeg ?? last?.headingDeg;
  let speedKmh: number | undefined;
  const prev = c.track?.at(-1);
  if (last && prev) {
    const dt = (Date.parse(last.at) - Date.parse(prev.at)) / 1000;
    if (dt > 0 && dt <= 300) speedKmh = Math.round((metres(prev, last) / dt) * 3.6);
  }
  return {
    lat: pos.lat,
    lon: pos.lon,
    trusted: pos.trusted,
    source,
    at: source === 'last-known' ? last?.at : undefined,
    headingDeg,
    speedKmh,
    place: prefectureAt(pos.lat, pos.lon),
    road: nearestRoad(ROADS, pos.lat, pos.lon, { headingDeg, earlier }),
    track: [...earlier, { lat: pos.lat, lon: pos.lon }],
  };
}

/** 0-359 degrees to one of eight compass points (index into Messages.compass). */
export function compassIndex(deg: number): number {
  return Math.round((((deg % 360) + 360) % 360) / 45) % 8;
}
