import { geoMercator, geoPath } from 'd3-geo';
import { select } from 'd3-selection';
import { zoom, zoomIdentity, type D3ZoomEvent, type ZoomBehavior } from 'd3-zoom';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Case } from '../../../../protocol/index.js';
import type { ServiceCarTrack } from '../hooks/use-service-cars.js';
import { jstTime, useI18n } from '../i18n/index.js';
import type { CasePlace } from '../lib/location.js';
import { ROADS } from '../lib/location.js';
import { PREFECTURE_FEATURES } from '../lib/prefectures.js';

const W = 640;
const H = 560;
/** Zoom on a case: about 40 km across the map. */
const CASE_ZOOM = 64;
/** What "All Japan" shows: the four main islands, Okinawa and the Nansei chain (lon/lat). */
const JAPAN_VIEW = { type: 'MultiPoint' as const, coordinates: [[122.5, 23.8], [146.2, 45.8]] };
const projection = geoMercator().fitExtent([[8, 8], [W - 8, H - 8]], JAPAN_VIEW);
const path = geoPath(projection);
// Projected once: zooming and panning only move one transform.
const PREFECTURE_PATHS = PREFECTURE_FEATURES.map((f, i) => ({ key: `${String(f.id)}-${i}`, d: path(f) ?? '', name: f.properties.prefecture }));
/** A label per prefecture at the centre of its largest polygon (the centroid of all would fall in the sea for Tokyo). */
const PREFECTURE_LABELS = PREFECTURE_FEATURES.flatMap((f) => {
  const pref = f.properties.prefecture;
  if (!pref) return [];
  const polygons = f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates;
  const largest = polygons
    .map((coordinates) => ({ type: 'Polygon' as const, coordinates }))
    .reduce((a, b) => (path.area(b) > path.area(a) ? b : a));
  const [x, y] = path.centroid(largest);
  return Number.isFinite(x) ? [{ pref, x, y }] : [];
});
const ROAD_PATHS = ROADS.map((r) => ({
  id: r.id,
  name: r.nameJa,
  d: path({ type: 'LineString', coordinates: r.points.map((p) => [p[1], p[0]]) }) ?? '',
}));

export interface MapControl {
  zoomBy(factor: number): void;
  centreOnCase(): void;
  all(): void;
}

interface Props {
  cases: readonly Case[];
  selected: Case | null;
  place: CasePlace | null;
  onSelect(id: string): void;
  control: { current: MapControl | null };
  /** The open case's service cars (contract "Service-car arrival"): each drawn with a line to where it goes. */
  serviceCars?: readonly ServiceCarTrack[];
}

const xy = (lat: number, lon: number) => projection([lon, lat]) ?? [NaN, NaN];

/**
 * An offline, zoomable and pannable map (d3-geo, d3-zoom, SVG): prefectures and the expressways of the
 * road data, every open case as a dot, and the selected case centred with its track and heading. No
 * tiles, no request leaves the machine.
 */
export function CaseMap({ cases, selected, place, onSelect, control, serviceCars = [] }: Props) {
  const { m } = useI18n();
  const svgRef = useRef<SVGSVGElement>(null);
  const zoomRef = useRef<ZoomBehavior<SVGSVGElement, unknown> | null>(null);
  const [t, setT] = useState(zoomIdentity);
  const [centred, setCentred] = useState<string | null>(null);

  useEffect(() => {
    const svg = svgRef.current;
    if (!svg) return;
    const z = zoom<SVGSVGElement, unknown>()
      .scaleExtent([1, 4000])
      .translateExtent([[-W, -H], [2 * W, 2 * H]])
      .on('zoom', (e: D3ZoomEvent<SVGSVGElement, unknown>) => {
        setT(e.transform);
        if (e.sourceEvent) setCentred(null);
      });
    zoomRef.current = z;
    select(svg).call(z).on('dblclick.zoom', null);
    return () => {
      select(svg).on('.zoom', null);
    };
  }, []);

  const target = place ? xy(place.lat, place.lon) : null;
  const centreOn = (id: string | null) => {
    const svg = svgRef.current;
    const z = zoomRef.current;
    if (!svg || !z) return;
    if (!target || !id) {
      z.transform(select(svg), zoomIdentity);
      setCentred(null);
      return;
    }
    const k = Math.max(CASE_ZOOM, t.k);
    z.transform(select(svg), zoomIdentity.translate(W / 2, H / 2).scale(k).translate(-target[0]!, -target[1]!));
    setCentred(id);
  };

  // The selected case comes to the centre when it changes, or when its position does.
  const key = selected && target ? `${selected.id}:${target[0]!.toFixed(1)},${target[1]!.toFixed(1)}` : null;
  useEffect(() => {
    centreOn(selected?.id ?? null);
  }, [key]);

  control.current = {
    zoomBy: (f) => {
      const svg = svgRef.current;
      if (svg && zoomRef.current) zoomRef.current.scaleBy(select(svg), f);
    },
    centreOnCase: () => centreOn(selected?.id ?? null),
    all: () => centreOn(null),
  };

  const placed = useMemo(
    () =>
      cases.flatMap((c) => {
        const p = c.position ?? c.lastKnownPosition ?? null;
        if (!p) return [];
        const [x, y] = xy(p.lat, p.lon);
        return Number.isFinite(x) ? [{ c, x: x!, y: y!, trusted: p.trusted, lastKnown: !c.position }] : [];
      }),
    [cases],
  );
  const unplaced = cases.length - placed.length;
  const k = t.k;
  const track = place && place.track.length > 1 ? place.track.map((p) => xy(p.lat, p.lon).join(',')).join(' ') : null;
  const sel = selected ? placed.find((p) => p.c.id === selected.id) : undefined;
  const cars = serviceCars.flatMap((s) => {
    if (!s.view.serviceCar) return [];
    const [x, y] = xy(s.view.serviceCar.position.lat, s.view.serviceCar.position.lon);
    const to = s.view.destination ? xy(s.view.destination.lat, s.view.destination.lon) : null;
    return Number.isFinite(x) ? [{ s, x: x!, y: y!, to: to && Number.isFinite(to[0]) ? to : null }] : [];
  });

  return (
    <section class="panel map" aria-labelledby="map-title">
      <h2 id="map-title">
        {m.map}
        <span class="map-tools" role="group" aria-label={m.map}>
          <button type="button" onClick={() => control.current?.zoomBy(2)} aria-label={m.zoomIn} aria-keyshortcuts="+" title={`${m.zoomIn} (+)`}>
            +
          </button>
          <button type="button" onClick={() => control.current?.zoomBy(0.5)} aria-label={m.zoomOut} aria-keyshortcuts="-" title={`${m.zoomOut} (-)`}>
            −
          </button>
          <button type="button" onClick={() => control.current?.centreOnCase()} disabled={!target} aria-keyshortcuts="0">
            {m.zoomCase}
          </button>
          <button type="button" onClick={() => control.current?.all()}>
            {m.zoomAll}
          </button>
        </span>
      </h2>
      <svg
        ref={svgRef}
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-label={m.mapLabel(placed.length)}
        data-centred={centred ?? ''}
        data-zoom={k.toFixed(2)}
      >
        <g transform={`translate(${t.x},${t.y}) scale(${k})`}>
          {PREFECTURE_PATHS.map((p) => (
            <path key={p.key} d={p.d} class="land">
              {p.name && <title>{m.lang === 'ja' ? p.name.ja : p.name.en}</title>}
            </path>
          ))}
          {ROAD_PATHS.map((r) => (
            <path key={r.id} d={r.d} class="road" data-road={r.id}>
              <title>{r.name}</title>
            </path>
          ))}
          {k >= 6 &&
            PREFECTURE_LABELS.map((l) => (
              <text key={l.pref.code} x={l.x} y={l.y} class="pref-label" style={{ fontSize: `${13 / k}px`, strokeWidth: `${3 / k}px` }} aria-hidden="true">
                {m.lang === 'ja' ? l.pref.ja : l.pref.en}
              </text>
            ))}
          {track && <polyline points={track} class="track" data-testid="track" />}
          {placed
            .filter((p) => p !== sel)
            .map(({ c, x, y, trusted, lastKnown }) => (
              <circle
                key={c.id}
                cx={x}
                cy={y}
                r={5 / k}
                style={{ strokeWidth: 1.5 / k }}
                class={`case-dot p${c.priority}${trusted ? '' : ' doubtful'}${lastKnown ? ' last-known' : ''}`}
                data-case-id={c.id}
                onClick={() => onSelect(c.id)}
              >
                <title>{`P${c.priority} ${m.trigger[c.trigger]} ${c.vin}`}</title>
              </circle>
            ))}
          {cars.map(({ s, x, y, to }) => (
            <g key={s.dispatchId} data-testid="service-car-marker" data-service-car={s.carId} data-eta={s.view.etaMinutes ?? ''}>
              {to && <line x1={x} y1={y} x2={to[0]} y2={to[1]} class="service-car-route" style={{ strokeWidth: 2 / k, strokeDasharray: `${6 / k} ${4 / k}` }} />}
              <g transform={`translate(${x},${y}) scale(${1 / k})`} class="service-car">
                <rect x={-11} y={-11} width={22} height={22} rx={4} />
                <text y={5} aria-hidden="true">
                  S
                </text>
                <title>{`${m.work.serviceCarOnMap} ${s.carId}: ${m.work.serviceCarEta(s.view.etaMinutes)} (${jstTime(s.view.serviceCar!.at)})`}</title>
              </g>
              <text x={x} y={y} dx={15 / k} dy={-12 / k} class="service-car-label" style={{ fontSize: `${17 / k}px`, strokeWidth: `${4 / k}px` }} data-testid="service-car-map-eta">
                {`${m.work.serviceCarOnMap} ${m.work.serviceCarEta(s.view.etaMinutes)}`}
              </text>
            </g>
          ))}
          {sel && (
            <g class="selected" data-case-id={sel.c.id} transform={`translate(${sel.x},${sel.y}) scale(${1 / k})`}>
              <circle r={14} class="halo" />
              {place?.headingDeg !== undefined && (
                <path d="M0,-24 L6,-12 L-6,-12 Z" class="heading" transform={`rotate(${place.headingDeg})`} data-testid="heading-arrow" />
              )}
              <circle r={7} class={`case-dot p${sel.c.priority}${sel.lastKnown ? ' last-known' : ''}`} />
            </g>
          )}
        </g>
      </svg>
      {unplaced > 0 && <p class="muted">{m.withoutPosition(unplaced)}</p>}
    </section>
  );
}
