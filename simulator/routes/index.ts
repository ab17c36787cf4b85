import { Route } from './geometry.js';
import { hokkaido274 } from './data/hokkaido-274.js';
import { meishin } from './data/meishin.js';
import { shutoC2 } from './data/shuto-c2.js';
import { tomei } from './data/tomei.js';
import type { RouteDef } from './types.js';

/** The roads shipped as data (approximate coordinates; see types.ts). */
export const ROUTE_DEFS: readonly RouteDef[] = [tomei, meishin, shutoC2, hokkaido274];

const cache = new Map<string, Route>();

export function routeIds(): string[] {
  return ROUTE_DEFS.map((r) => r.id);
}

export function getRoute(id: string): Route {
  let r = cache.get(id);
  if (!r) {
    const def = ROUTE_DEFS.find((d) => d.id === id);
    if (!def) throw new Error(`unknown route ${JSON.stringify(id)}; known: ${routeIds().join(', ')}`);
    r = new Route(def);
    cache.set(id, r);
  }
  return r;
}

export { Route, haversineKm, bearingDeg, type RoutePose } from './geometry.js';
export { fixAt } from './fix.js';
export { RouteDriver, type RouteDriverOptions, type Drivable } from './driver.js';
export type { RouteDef, TunnelDef, FixLoss, RoutePoint } from './types.js';
