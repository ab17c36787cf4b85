import type { AfterFollowKind, CoverageAfterFollow } from '../../protocol/index.js';
import { km, yen } from './format.js';
import type { Judge } from './judge.js';

const LABEL: Record<AfterFollowKind, string> = { rental_car: 'rental car', lodging: 'lodging', journey_home: 'journey home' };

/**
 * D5.5: after-follow when the car cannot move at least `minDistanceFromHomeKm` (straight line) from
 * home; one option only. `benefitLimit` answers for a programme whose lodging and transport are
 * benefits of its own (rakuten-drive-assist, accident-assist.ts) instead of an after-follow section.
 */
export function afterFollow(judge: Judge, eligible: boolean, benefitLimit?: (kind: AfterFollowKind) => CoverageAfterFollow): CoverageAfterFollow | undefined {
  const { incident } = judge.request;
  const kind = incident.afterFollow;
  if (!kind) return undefined;
  const af = judge.rules.afterFollow;
  const cite = af?.rule ? ` (${af.rule})` : '';
  const no = (reason: string): CoverageAfterFollow => ({ eligible: false, kind, limitYen: null, reason: `${reason}${cite}` });
  if (!af) return benefitLimit ? benefitLimit(kind) : no(`${judge.programmeId} has no after-follow service`);
  const option = af.options[kind];
  if (!option) return no(`${judge.programmeId} does not pay a ${LABEL[kind]}${af.note ? `: ${af.note}` : ''}`);
  if (!eligible) return no('the programme refuses this request (see refusals)');
  if (af.requireNotDrivable && incident.drivable) return no('the car can be driven: after-follow is for a car that cannot move');
  if (incident.distanceFromHomeKm < af.minDistanceFromHomeKm) {
    return no(`stranded ${km(incident.distanceFromHomeKm)} from home: after-follow starts at ${km(af.minDistanceFromHomeKm)} (straight line)`);
  }
  const limitYen = option.limitYen ?? null;
  const others = Object.keys(af.options).filter((k) => k !== kind).map((k) => LABEL[k as AfterFollowKind]);
  const parts = [
    `stranded ${km(incident.distanceFromHomeKm)} from home (${km(af.minDistanceFromHomeKm)} or more), the car cannot move`,
    `${LABEL[kind]} ${limitYen === null ? 'without a limit in yen' : `up to ${yen(limitYen)}`}${option.note ? ` (${option.note})` : ''}`,
    ...(af.oneOnly && others.length > 0 ? [`one option only: not also ${others.join(' or ')}`] : []),
  ];
  return { eligible: true, kind, limitYen, reason: `${parts.join('; ')}${cite}` };
}
