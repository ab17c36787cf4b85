/** Built by the `anshin-japan-map` plugin in ../vite.config.ts from world-atlas. */
declare module 'virtual:japan-map' {
  const japan: import('geojson').FeatureCollection<import('geojson').MultiPolygon>;
  export default japan;
}
