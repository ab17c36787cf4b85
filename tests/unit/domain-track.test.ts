/** Issue 12 part 6, contract "Service-car arrival" (D4.6): the tracking link's view, ETA and end (domain/track.ts). */
import { describe, expect, it } from 'vitest';
import type { Case, Dispatch } from '../../protocol/index.js';
import { decideTrack } from '../../services/incident/domain/track.js';

const TOKEN = 'T'.repeat(43);
const SCENE = { lat: 35.6812, lon: 139.7671 };
const dispatch = (over: Partial<Dispatch> = {}): Dispatch => ({
  id: 'd1',
  caseId: 'c1',
  agency: 'road_service',
  status: 'requested',
  requestedAt: '2026-11-21T10:00:00.000Z',
  requestedBy: 'op-1',
  position: { ...SCENE, at: '2026-11-21T09:59:00.000Z', trusted: true },
  serviceCar: { id: 'jaf-7', reportsPosition: true },
  trackToken: TOKEN,
  history: [],
  ...over,
});
const withDispatch = (d: Dispatch) => ({ id: 'c1', dispatches: [d] }) as unknown as Case;
/** A fix `km` north of the scene (1 degree of latitude is 111.195 km on the haversine sphere). */
const north = (km: number) => ({ position: { lat: SCENE.lat + km / 111.195, lon: SCENE.lon, trusted: true }, at: '2026-11-21T10:05:00.000Z' });

describe('D4.6: the tracking link', () => {
  it('D4.6: before the service car reports: no position, no ETA; the destination is the scene', () => {
    expect(decideTrack(withDispatch(dispatch()), TOKEN, null, 40)).toEqual({ view: { serviceCar: null, destination: SCENE, etaMinutes: null, status: 'requested', dispatchedAt: '2026-11-21T10:00:00.000Z' } });
  });

  it('D4.6: the ETA is the great-circle distance at the configured speed, rounded up, and falls as the car approaches', () => {
    const eta = (km: number, speed = 40) => {
      const a = decideTrack(withDispatch(dispatch()), TOKEN, north(km), speed);
      return 'view' in a ? a.view.etaMinutes : undefined;
    };
    expect(eta(10)).toBe(15); // 10 km at 40 km/h
    expect(eta(10, 60)).toBe(10);
    expect(eta(2)).toBe(3);
    expect(eta(0.05)).toBe(1);
    expect(eta(0)).toBe(0);
  });

  it('D4.6: a scene not known (D2.7) gives no ETA', () => {
    const a = decideTrack(withDispatch(dispatch({ position: null })), TOKEN, north(3), 40);
    expect(a).toMatchObject({ view: { destination: null, etaMinutes: null, serviceCar: north(3) } });
  });

  it('D4.6: the link ends with the dispatch; an unknown token or a case without it finds nothing', () => {
    expect(decideTrack(withDispatch(dispatch({ status: 'completed' })), TOKEN, null, 40)).toEqual({ refused: 'track_ended', status: 'completed' });
    expect(decideTrack(withDispatch(dispatch({ status: 'cancelled' })), TOKEN, null, 40)).toEqual({ refused: 'track_ended', status: 'cancelled' });
    expect(decideTrack(withDispatch(dispatch()), 'U'.repeat(43), null, 40)).toEqual({ refused: 'track_not_found' });
    expect(decideTrack(null, TOKEN, null, 40)).toEqual({ refused: 'track_not_found' });
  });
});
