/**
 * The deployments the bench compares, side by side in one report (a full run: all of MODES).
 * mosquitto-1x-redis is there for issue 15's scaling target: two instances against one, in the same run.
 */
export const MODES = ['embedded', 'embedded-redis', 'mosquitto-1x-redis', 'mosquitto-2x-redis'] as const;
/**
 * Run only when named in `--modes`. mosquitto-1x-memory is the embedded default with its broker in a
 * process of its own (Mosquitto) and the same memory store: issue 15's "the broker on its own thread or
 * process", measured against `embedded` in one run.
 */
export const EXTRA_MODES = ['mosquitto-1x-memory'] as const;
export type ModeName = (typeof MODES)[number] | (typeof EXTRA_MODES)[number];
export const ALL_MODES: readonly ModeName[] = [...MODES, ...EXTRA_MODES];

export const MODE_LABELS: Record<ModeName, string> = {
  embedded: 'embedded (aedes, memory)',
  'embedded-redis': 'embedded + Redis',
  'mosquitto-1x-redis': 'Mosquitto + 1 instance + Redis',
  'mosquitto-2x-redis': 'Mosquitto + 2 instances + Redis',
  'mosquitto-1x-memory': 'Mosquitto + 1 instance, memory',
};

/** What each mode deploys (bench/deploy.ts): the broker, how many service processes, whether state is in Redis. */
export const MODE_SHAPES: Record<ModeName, { broker: 'embedded' | 'mosquitto'; instances: 1 | 2; redis: boolean }> = {
  embedded: { broker: 'embedded', instances: 1, redis: false },
  'embedded-redis': { broker: 'embedded', instances: 1, redis: true },
  'mosquitto-1x-redis': { broker: 'mosquitto', instances: 1, redis: true },
  'mosquitto-2x-redis': { broker: 'mosquitto', instances: 2, redis: true },
  'mosquitto-1x-memory': { broker: 'mosquitto', instances: 1, redis: false },
};
