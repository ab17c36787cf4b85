import type { Case } from '../../../../protocol/index.js';
import { en, type Messages } from '../i18n/messages.js';

/** One labelled fact from `case.data` (the event's own data: airbags, delta-V, direction, lamps). */
export interface Fact {
  label: string;
  value: string;
}

const words = (code: string) => code.replaceAll('_', ' ');

/** Reads the event data defensively: `case.data` is the event's payload, typed per trigger on ingest. */
export function caseFacts(c: Case, m: Messages = en): Fact[] {
  const d = c.data;
  const f = m.facts;
  const facts: Fact[] = [];
  const deployed = Array.isArray(d.deployed) ? d.deployed.filter((x): x is string => typeof x === 'string') : null;
  if (c.trigger === 'airbag' || deployed) {
    facts.push({ label: f.airbags, value: deployed && deployed.length > 0 ? deployed.map(words).join(', ') : f.noneReported });
  }
  if (typeof d.deltaVKmh === 'number') facts.push({ label: f.deltaV, value: `${d.deltaVKmh} km/h` });
  // Right-hand drive: `right` is the driver's near side.
  if (typeof d.direction === 'string') facts.push({ label: f.direction, value: f.directionName[d.direction] ?? d.direction });
  if (typeof d.peakG === 'number') facts.push({ label: f.peak, value: `${d.peakG} g` });
  if (d.rollover === true) facts.push({ label: f.rollover, value: f.yes });
  if (Array.isArray(d.warningLamps) && d.warningLamps.length > 0) {
    facts.push({ label: f.warningLamps, value: d.warningLamps.map(String).map(words).join(', ') });
  }
  return facts;
}

export type PositionBadge = 'unknown' | 'untrusted' | null;

/** D2.7: no position, or a doubtful one, means the operator asks the caller. */
export function positionBadge(c: Case): PositionBadge {
  if (c.position === null) return 'unknown';
  return c.position.trusted ? null : 'untrusted';
}
