import type { Dealer, DispatchDestination, DispatchPosition } from '../../../protocol/index.js';
import type { VehicleState } from './state.js';

/** The dealer list (services/incident/dealers/), read once at start-up and passed to decisions as data. */
export type DealerList = readonly Dealer[];

const EARTH_RADIUS_KM = 6371.0088;
const RAD = Math.PI / 180;

/** Great-circle distance in km (haversine): dealers may be hundreds of km apart, where the flat formula drifts. */
export function greatCircleKm(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const dLat = (b.lat - a.lat) * RAD;
  const dLon = (b.lon - a.lon) * RAD;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * RAD) * Math.cos(b.lat * RAD) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** The dealer nearest to `from`, with its distance; ties go to the earlier in the list. Null for an empty list. */
export function nearestDealer(from: { lat: number; lon: number }, dealers: DealerList): { dealer: Dealer; km: number } | null {
  let best: { dealer: Dealer; km: number } | null = null;
  for (const dealer of dealers) {
    const km = greatCircleKm(from, dealer);
    if (!best || km < best.km) best = { dealer, km };
  }
  return best;
}

/**
 * D4.4: transport goes to the owner's registered dealer, else the nearest one, any distance. Nearest is
 * by great-circle distance from where the car is (the dispatch's position); with no position known
 * (D2.7) and no registered dealer there is no destination: the operator asks the caller.
 */
export function destinationFor(vehicle: VehicleState, from: DispatchPosition, dealers: DealerList): DispatchDestination | undefined {
  const registered = vehicle.dealerId !== undefined ? dealers.find((d) => d.id === vehicle.dealerId) : undefined;
  if (registered) return { kind: 'registered_dealer', name: registered.name, position: { lat: registered.lat, lon: registered.lon }, dealerId: registered.id };
  if (!from) return undefined;
  const near = nearestDealer(from, dealers);
  if (!near) return undefined;
  const { dealer, km } = near;
  return { kind: 'nearest_dealer', name: dealer.name, position: { lat: dealer.lat, lon: dealer.lon }, dealerId: dealer.id, distanceKm: Math.round(km * 10) / 10 };
}
