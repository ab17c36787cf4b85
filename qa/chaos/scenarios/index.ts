import { faultKind } from './delivery.js';
import type { ScenarioKind } from './kind.js';
import { limitsKind } from './limits.js';
import { poisonKind } from './poison.js';

/** Every scenario kind the suite knows. A new kind (poison, limits) is one file and one line here. */
export const KINDS: ScenarioKind[] = [faultKind, poisonKind, limitsKind];

/** The kind a variant name (`kill`, `poison`, …) belongs to. */
export function kindOf(variant: string): ScenarioKind | undefined {
  return KINDS.find((k) => k.variants.includes(variant));
}

export const ALL_VARIANTS: string[] = KINDS.flatMap((k) => [...k.variants]);
