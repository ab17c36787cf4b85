/** The deployments the bench compares, side by side in one report. */
export const MODES = ['embedded', 'embedded-redis', 'mosquitto-2x-redis'] as const;
export type ModeName = (typeof MODES)[number];

export const MODE_LABELS: Record<ModeName, string> = {
  embedded: 'embedded (aedes, memory)',
  'embedded-redis': 'embedded + Redis',
  'mosquitto-2x-redis': 'Mosquitto + 2 instances + Redis',
};
