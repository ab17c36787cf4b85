import type { Case, Dispatch, Position, TrackView } from '../../../protocol/index.js';
import { greatCircleKm } from './destinations.js';
import { isOpenDispatch } from './dispatches.js';

/** A service car's newest fix as the tracking link reads it (store/service-car-port.ts ServiceCarFix). */
export interface TrackFix {
  position: Position;
  at: string;
}

export type TrackAnswer = { view: TrackView } | { refused: 'track_not_found' } | { refused: 'track_ended'; status: Dispatch['status'] };

/** The dispatch of `c` that carries `token`, if any (the index may name a case whose commit never happened). */
export function trackedDispatch(c: Case | null, token: string): Dispatch | undefined {
  return c?.dispatches?.find((d) => d.trackToken === token);
}

/**
 * Contract "Service-car arrival" (D4.6), `GET /v1/track/{token}`: where the service car is, where it is
 * going (the scene: the car's position the dispatch was sent to), and an ETA at `speedKmh` over the
 * great-circle distance, rounded up to whole minutes (0 only at the scene); null until the service car
 * has reported, or while the scene is unknown (D2.7). The link ends (`track_ended`, 410) once the
 * dispatch is completed or cancelled: the owner's link is no credential for a finished job.
 */
export function decideTrack(c: Case | null, token: string, fix: TrackFix | null, speedKmh: number): TrackAnswer {
  const d = trackedDispatch(c, token);
  if (!d) return { refused: 'track_not_found' };
  if (!isOpenDispatch(d)) return { refused: 'track_ended', status: d.status };
  const destination = d.position ? { lat: d.position.lat, lon: d.position.lon } : null;
  const etaMinutes = fix && destination ? minutesUp((greatCircleKm(fix.position, destination) / speedKmh) * 60) : null;
  return {
    view: {
      serviceCar: fix ? { position: fix.position, at: fix.at } : null,
      destination,
      etaMinutes,
      status: d.status,
      dispatchedAt: d.requestedAt,
    },
  };
}

/** Whole minutes, rounded up; to the hundredth first, so float noise (15.0000001) is not a minute more. */
function minutesUp(minutes: number): number {
  return Math.ceil(Math.round(minutes * 100) / 100);
}
