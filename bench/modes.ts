/**
 * The deployments the bench compares, side by side in one report. mosquitto-1x-redis is there for
 * issue 15's scaling target: two instances against one, in the same run.
 */
export const MODES = ['embedded', 'embedded-redis', 'mosquitto-1x-redis', 'mosquitto-2x-redis'] as const;
export type ModeName = (typeof MODES)[number];

export const MODE_LABELS: Record<ModeName, string> = {
  embedded: 'embedded (aedes, memory)',
  'embedded-redis': 'embedded + Redis',
  'mosquitto-1x-redis': 'Mosquitto + 1 instance + Redis',
  'mosquitto-2x-redis': 'Mosquitto + 2 instances + Redis',
};
