import { geoMercator, geoPath } from 'd3-geo';
import japan from 'virtual:japan-map';
import type { Case } from '../../../../protocol/index.js';

const WIDTH = 360;
const HEIGHT = 420;
// Fitted once: the outline never changes, only the dots do.
const projection = geoMercator().fitExtent(
  [
    [10, 10],
    [WIDTH - 10, HEIGHT - 10],
  ],
  japan,
);
const outline = geoPath(projection)(japan) ?? '';

interface Props {
  cases: readonly Case[];
  selectedId: string | null;
  onSelect(id: string): void;
}

/** Open cases on a map of Japan drawn from bundled world-atlas data (no tiles, no network). */
export function JapanMap({ cases, selectedId, onSelect }: Props) {
  const placed = cases.flatMap((c) => {
    const xy = c.position ? projection([c.position.lon, c.position.lat]) : null;
    if (!xy || xy[0] < 0 || xy[0] > WIDTH || xy[1] < 0 || xy[1] > HEIGHT) return [];
    return [{ c, x: xy[0], y: xy[1] }];
  });
  const selected = placed.find((p) => p.c.id === selectedId);
  const unplaced = cases.length - placed.length;
  return (
    <section class="panel map" aria-labelledby="map-title">
      <h2 id="map-title">Map</h2>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={`Map of Japan with ${placed.length} open cases`}>
        <rect width={WIDTH} height={HEIGHT} class="sea" />
        <path d={outline} class="land" />
        {placed
          .filter((p) => p !== selected)
          .map(({ c, x, y }) => (
            <circle
              key={c.id}
              cx={x}
              cy={y}
              r={5}
              class={`case-dot p${c.priority}${c.position?.trusted ? '' : ' doubtful'}`}
              data-case-id={c.id}
              onClick={() => onSelect(c.id)}
            >
              <title>{`P${c.priority} ${c.trigger} ${c.vin}`}</title>
            </circle>
          ))}
        {selected && (
          <g class="selected" data-case-id={selected.c.id}>
            <circle cx={selected.x} cy={selected.y} r={13} class="halo" />
            <circle cx={selected.x} cy={selected.y} r={7} class={`case-dot p${selected.c.priority}`} />
          </g>
        )}
      </svg>
      {unplaced > 0 && <p class="muted">{unplaced} open case(s) without a position on the map.</p>}
    </section>
  );
}
