import type { EventOf, EventType, PowerMode } from '../../protocol/index.js';
import { airbagsFor, crashDetails, estimatePeakG } from './payloads.js';
import type { Rng } from './prng.js';

/**
 * Plausible data for an event fired without any (seeded, so runs repeat). Crashes carry the richer
 * crash data (direction, belts, multiple impacts: DOMAIN D4.3): airbags fire mostly in frontal crashes
 * and the side ones in side crashes; an impact may come from any side.
 */
export function defaultData<T extends EventType>(type: T, rng: Rng, powerMode: PowerMode): EventOf<T>['data'] {
  const data: { [K in EventType]: () => EventOf<K>['data'] } = {
    airbag: () => {
      const deltaVKmh = Math.round(rng.range(25, 60));
      const direction = rng.pick(['front', 'front', 'front', 'front', 'left', 'right'] as const);
      return { deployed: airbagsFor(direction), deltaVKmh, ...crashDetails(rng, direction) };
    },
    impact: () => {
      const deltaVKmh = Math.round(rng.range(8, 40));
      return { deltaVKmh, peakG: estimatePeakG(deltaVKmh), ...crashDetails(rng, rng.pick(['front', 'rear', 'left', 'right'] as const)) };
    },
    sos: () => ({}),
    trouble: () => ({}),
    power: () => ({ mode: powerMode }),
    'security-alarm': () => ({ kind: 'intrusion' }),
  };
  return data[type]() as EventOf<T>['data'];
}
