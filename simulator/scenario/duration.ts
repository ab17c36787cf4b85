import type { ScenarioDuration } from '../../protocol/index.js';

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** `1m30s` -> 90000; a number is milliseconds already. The schema has checked the syntax. */
export function durationMs(d: ScenarioDuration): number {
  if (typeof d === 'number') return d;
  let total = 0;
  for (const m of d.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) total += Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
  return Math.round(total);
}
