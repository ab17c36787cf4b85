import type { EventOf, EventType, PowerMode } from '../../protocol/index.js';
import { estimatePeakG } from './payloads.js';
import type { Rng } from './prng.js';

/** Plausible data for an event fired without any (seeded, so runs repeat). */
export function defaultData<T extends EventType>(type: T, rng: Rng, powerMode: PowerMode): EventOf<T>['data'] {
  const data: { [K in EventType]: () => EventOf<K>['data'] } = {
    airbag: () => ({ deployed: ['driver_front', 'passenger_front'], deltaVKmh: Math.round(rng.range(25, 60)) }),
    impact: () => {
      const deltaVKmh = Math.round(rng.range(8, 40));
      return { deltaVKmh, peakG: estimatePeakG(deltaVKmh), direction: rng.pick(['front', 'rear', 'left', 'right'] as const) };
    },
    sos: () => ({}),
    trouble: () => ({}),
    power: () => ({ mode: powerMode }),
    'security-alarm': () => ({ kind: 'intrusion' }),
  };
  return data[type]() as EventOf<T>['data'];
}
