import { useI18n } from '../i18n/index.js';
import { compassIndex, type CasePlace } from '../lib/location.js';
import { age } from '../lib/time.js';

/**
 * Where to send help, in words an operator reads out: prefecture; on an expressway the road, the
 * direction of travel and the kilometre post (D5.8); the last known position and its age when the call
 * carried none (D2.7); heading and speed when known.
 */
export function PlaceView({ place, now }: { place: CasePlace; now: number }) {
  const { m, lang } = useI18n();
  const pref = place.place?.prefecture;
  const prefName = pref ? (lang === 'ja' ? pref.ja : pref.en) : null;
  const road = place.road;
  return (
    <div class="place" data-testid="place" data-source={place.source}>
      {place.source === 'last-known' && place.at && (
        <div class="badge pos last-known" data-testid="last-known" title={m.lastKnownTitle}>
          {m.lastKnown(age(place.at, now))}
        </div>
      )}
      <div data-testid="prefecture" data-code={pref?.code ?? ''}>
        <strong>{prefName ? (place.place!.inside ? prefName : m.near(prefName)) : m.prefectureUnknown}</strong>
        {place.source === 'last-known' && (
          <span class="mono muted">
            {' '}
            ({place.lat.toFixed(4)}, {place.lon.toFixed(4)})
          </span>
        )}
      </div>
      {road && (
        <div data-testid="road" data-road={road.road.id} data-km={road.km.toFixed(1)}>
          <strong>{lang === 'ja' ? road.road.nameJa : road.road.name}</strong>
          {' · '}
          {road.towards ? m.towards(road.towards) : <span class="instruction">{m.directionUnknown}</span>}
          {' · '}
          <strong>{m.kmPost(`${road.km.toFixed(1)} km`)}</strong>
          {road.after && road.before && <span class="muted"> ({m.between(road.after, road.before)})</span>}
          {road.tunnel && <span class="badge pos">{m.inTunnel(road.tunnel)}</span>}
        </div>
      )}
      {(place.headingDeg !== undefined || place.speedKmh !== undefined || place.track.length > 1) && (
        <div class="muted small" data-testid="motion">
          {place.headingDeg !== undefined && (
            <span>
              {m.heading}: {m.headingValue(Math.round(place.headingDeg), m.compass[compassIndex(place.headingDeg)]!)}
            </span>
          )}
          {place.speedKmh !== undefined && (
            <span>
              {' · '}
              {m.speed}: {m.speedEstimated(place.speedKmh)}
            </span>
          )}
          {place.track.length > 1 && <span> · {m.track(place.track.length - 1)}</span>}
        </div>
      )}
    </div>
  );
}
