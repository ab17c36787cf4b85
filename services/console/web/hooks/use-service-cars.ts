import { useEffect, useState } from 'preact/hooks';
import type { Case, Dispatch, TrackView } from '../../../../protocol/index.js';
import type { Api } from '../lib/api.js';

/** How often the open case's service cars are read again while their dispatch is under way. */
export const SERVICE_CAR_POLL_MS = 3000;

/** A service car seen through its dispatch's tracking link: where it is, where it goes, its ETA. */
export interface ServiceCarTrack {
  dispatchId: string;
  carId: string;
  view: TrackView;
}

/** The dispatches whose service car can be followed: road service (or dealer transport) with a track token, not ended. */
export function trackedDispatches(c: Case | null): Dispatch[] {
  return (c?.dispatches ?? []).filter((d) => d.trackToken && d.serviceCar?.reportsPosition && d.status !== 'completed' && d.status !== 'cancelled');
}

/**
 * Contract "Service-car arrival" (D4.6): the open case's service cars, read from `GET /v1/track/{token}`
 * (the dispatch's `trackToken`, the same answer the owner's link gets: the car's newest fix and the ETA
 * the service computes) at once and every SERVICE_CAR_POLL_MS while the dispatch is unfinished; one
 * request per dispatch in flight at most. A 404/410 (the link ended) drops that car. Keyed by dispatch id.
 */
export function useServiceCars(c: Case | null, api: Api): Record<string, ServiceCarTrack> {
  const [tracks, setTracks] = useState<Record<string, ServiceCarTrack>>({});
  const followed = trackedDispatches(c);
  const key = `${c?.id ?? ''}|${followed.map((d) => `${d.id}:${d.status}`).join(',')}`;
  useEffect(() => {
    if (followed.length === 0) {
      setTracks({});
      return;
    }
    let stopped = false;
    const inFlight = new Set<string>();
    const read = () => {
      for (const d of followed) {
        if (inFlight.has(d.id)) continue;
        inFlight.add(d.id);
        api
          .track(d.trackToken!)
          .then((view) => {
            if (!stopped) setTracks((t) => ({ ...t, [d.id]: { dispatchId: d.id, carId: d.serviceCar!.id, view } }));
          })
          .catch(() => {
            if (!stopped)
              setTracks((t) => {
                const { [d.id]: _gone, ...rest } = t;
                return rest;
              });
          })
          .finally(() => inFlight.delete(d.id));
      }
    };
    // Only the dispatches still followed keep their last answer.
    setTracks((t) => Object.fromEntries(Object.entries(t).filter(([id]) => followed.some((d) => d.id === id))));
    read();
    const timer = setInterval(read, SERVICE_CAR_POLL_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [key, api]);
  return tracks;
}
