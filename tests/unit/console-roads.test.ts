import { describe, expect, it } from 'vitest';
import { getRoute, ROUTE_DEFS } from '../../simulator/routes/index.js';
import { nearestRoad, type RoadData } from '../../services/console/web/lib/roads.js';

/**
 * Issue 14 part 1: the console's road data (expressway polylines with kilometre posts, for "road,
 * direction, kilometre post") is generated from the simulator's route data, the one road dataset: the
 * console may import protocol/ only, so it gets a generated copy, and this test keeps the copy equal to
 * its source. After changing simulator/routes/data, regenerate it:
 *   npx vitest run tests/unit/console-roads.test.ts -u
 */
function generate(): RoadData[] {
  return ROUTE_DEFS.map((def) => {
    const route = getRoute(def.id);
    const round = (v: number, places: number) => Math.round(v * 10 ** places) / 10 ** places;
    return {
      id: def.id,
      name: def.name,
      nameJa: def.nameJa,
      points: def.points.map((p, i) => {
        const km = round(route.kms[i]!, 3);
        const point: RoadData['points'][number] = p[2] === undefined ? [p[0], p[1], km] : [p[0], p[1], km, p[2]];
        return point;
      }),
      tunnels: def.tunnels.map((t) => ({ name: t.name, fromKm: t.fromKm, toKm: t.toKm })),
    };
  });
}

describe('console roads (issue 14 part 1)', () => {
  it('the console’s road data is generated from the simulator’s routes (one dataset)', async () => {
    await expect(`${JSON.stringify(generate(), null, 1)}\n`).toMatchFileSnapshot('../../services/console/web/data/roads.json');
  });

  it('a car placed on a route by the simulator reads back as that road, its kilometre post and direction', () => {
    const roads = generate();
    for (const def of ROUTE_DEFS) {
      const route = getRoute(def.id);
      for (const km of [route.startKm + 1.2, (route.startKm + route.endKm) / 2, route.endKm - 0.7]) {
        const pose = route.poseAt(km);
        const found = nearestRoad(roads, pose.lat, pose.lon, { headingDeg: pose.headingDeg });
        expect(found?.road.id).toBe(def.id);
        expect(found!.km).toBeCloseTo(km, 1);
        expect(found!.towards).toBe(def.points.at(-1)![2]);
        // The other way round: heading back towards the start.
        expect(nearestRoad(roads, pose.lat, pose.lon, { headingDeg: (pose.headingDeg + 180) % 360 })!.towards).toBe(def.points[0]![2]);
      }
    }
    expect(nearestRoad(roads, 43.06, 141.35, {})).toBeNull();
  });
});

describe('console offline reverse geocoding and language (issue 14 parts 1, 5)', () => {
  it('finds the prefecture of a point (point in polygon), or the nearest one just off a coast', async () => {
    const { prefectureAt } = await import('../../services/console/web/lib/prefectures.js');
    const at = (lat: number, lon: number) => prefectureAt(lat, lon)?.prefecture.ja ?? null;
    expect(at(35.6812, 139.7671)).toBe('東京都');
    expect(at(34.6937, 135.5023)).toBe('大阪府');
    expect(at(43.0618, 141.3545)).toBe('北海道');
    expect(at(26.2124, 127.6809)).toBe('沖縄県');
    expect(at(35.4218, 139.3392)).toBe('神奈川県');
    expect(prefectureAt(35.6812, 139.7671)?.prefecture.code).toBe(13);
    // Far out at sea: no prefecture.
    expect(prefectureAt(33.0, 142.0)).toBeNull();
  });

  it('ja unless the browser asks for English first; a choice once made is kept', async () => {
    const { detectLang, jstTime } = await import('../../services/console/web/i18n/index.js');
    expect(detectLang(['ja-JP', 'en-US'], null)).toBe('ja');
    expect(detectLang(['en-GB', 'ja'], null)).toBe('en');
    expect(detectLang(['fr-FR', 'ja'], null)).toBe('ja');
    expect(detectLang(['fr-FR'], null)).toBe('ja');
    expect(detectLang(['ja-JP'], 'en')).toBe('en');
    expect(jstTime('2026-11-21T15:05:09.000Z')).toBe('00:05:09 JST');
  });

  it('ja and en have every message (no key missing at run time either)', async () => {
    const { ja, en } = await import('../../services/console/web/i18n/index.js');
    const keys = (o: object): string[] => Object.entries(o).flatMap(([k, v]) => (v && typeof v === 'object' && !Array.isArray(v) ? keys(v).map((s) => `${k}.${s}`) : [k]));
    expect(keys(ja).sort()).toEqual(keys(en).sort());
  });
});
