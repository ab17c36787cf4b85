import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import type { Feature, FeatureCollection, MultiPolygon, Polygon, Position } from 'geojson';
import type { Topology } from 'topojson-specification';
import { defineConfig, type Plugin } from 'vite';

const require = createRequire(import.meta.url);
// topojson-client ships UMD; require() is the form Node loads without guessing its exports.
const { feature } = require('topojson-client') as typeof import('topojson-client');

/** ISO 3166 numeric code of Japan, the id world-atlas gives its geometry. */
const JAPAN = '392';
/** What the console's map shows: the four main islands, Okinawa and the Nansei chain (lon/lat). */
export const JAPAN_VIEW = { west: 122.5, south: 23.8, east: 146.2, north: 45.8 } as const;

/**
 * `virtual:japan-map`: Japan's outline as GeoJSON, cut out of world-atlas's 1:50m countries at build
 * time. Remote islands outside the view are dropped and coordinates rounded to 0.01 degrees (about a
 * kilometre), so the bundle carries ~16 kB of map instead of the 750 kB atlas, and nothing is fetched
 * at run time.
 */
function japanMap(): Plugin {
  const id = 'virtual:japan-map';
  return {
    name: 'anshin-japan-map',
    resolveId: (source) => (source === id ? `\0${id}` : null),
    load(resolved) {
      if (resolved !== `\0${id}`) return null;
      const topo = JSON.parse(readFileSync(require.resolve('world-atlas/countries-50m.json'), 'utf8')) as Topology;
      const countries = topo.objects.countries as unknown as { type: 'GeometryCollection'; geometries: { id?: string }[] };
      const japan = countries.geometries.filter((g) => g.id === JAPAN);
      if (japan.length !== 1) throw new Error(`world-atlas: expected one geometry with id ${JAPAN}, found ${japan.length}`);
      const fc = feature(topo, { type: 'GeometryCollection', geometries: japan } as never) as unknown as FeatureCollection;
      const out: FeatureCollection<MultiPolygon> = { type: 'FeatureCollection', features: fc.features.map(clip) };
      return `export default ${JSON.stringify(out)};`;
    },
  };
}

function clip(f: Feature): Feature<MultiPolygon> {
  const g = f.geometry as Polygon | MultiPolygon;
  const polygons = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  const inView = (p: Position) =>
    p[0]! >= JAPAN_VIEW.west && p[0]! <= JAPAN_VIEW.east && p[1]! >= JAPAN_VIEW.south && p[1]! <= JAPAN_VIEW.north;
  const round = (v: number) => Math.round(v * 100) / 100;
  const kept = polygons
    .filter((rings) => rings[0]!.some(inView))
    .map((rings) =>
      rings.map((ring) =>
        ring
          .map((p) => [round(p[0]!), round(p[1]!)])
          .filter((p, i, all) => i === 0 || p[0] !== all[i - 1]![0] || p[1] !== all[i - 1]![1]),
      ),
    )
    .filter((rings) => rings[0]!.length >= 4);
  return { type: 'Feature', properties: { name: 'Japan' }, geometry: { type: 'MultiPolygon', coordinates: kept } };
}

const root = fileURLToPath(new URL('./web/', import.meta.url));
const backend = process.env.CONSOLE_BACKEND ?? 'http://127.0.0.1:3000';

export default defineConfig({
  root,
  base: '/',
  plugins: [preact(), japanMap()],
  build: {
    outDir: fileURLToPath(new URL('./dist/', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    reportCompressedSize: false,
  },
  // `npm run dev:console`: the page from source with the service's API and feed proxied to it.
  server: {
    proxy: {
      '/v1': { target: backend, ws: true },
    },
  },
});
