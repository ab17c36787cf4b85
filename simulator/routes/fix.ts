import type { MaybePosition } from '../../protocol/index.js';
import type { Rng } from '../car/prng.js';
import type { Route, RoutePose } from './geometry.js';

const M_PER_DEG_LAT = 111_320;

/**
 * The GNSS fix a TCU would report at a pose: the true point plus gaussian noise (route's `noiseM`);
 * inside a tunnel either dead-reckoned and `trusted: false`, or no fix at all (D2.7).
 */
export function fixAt(route: Route, pose: RoutePose, rng: Rng): MaybePosition {
  if (pose.tunnel?.fix === 'none') return null; // D2.7: position unknown, the operator asks the caller
  const untrusted = pose.tunnel?.fix === 'untrusted';
  // Dead reckoning drifts: noise grows to ~5x inside a tunnel.
  const sd = route.def.noiseM * (untrusted ? 5 : 1);
  const dLat = rng.gauss(sd) / M_PER_DEG_LAT;
  const dLon = rng.gauss(sd) / (M_PER_DEG_LAT * Math.cos((pose.lat * Math.PI) / 180));
  return {
    lat: round6(Math.max(-90, Math.min(90, pose.lat + dLat))),
    lon: round6(Math.max(-180, Math.min(180, pose.lon + dLon))),
    headingDeg: pose.headingDeg,
    trusted: !untrusted,
  };
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
