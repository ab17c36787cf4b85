import type { CoverageAnswer, CoverageRequest } from '../../protocol/index.js';
import { km, yen } from '../../services/road-coverage/format.js';

const yesNo = (b: boolean) => (b ? 'yes' : 'no');
const cite = (rule?: string) => (rule ? ` [${rule}]` : '');

/** The answer for people: yen as `¥3,000`, times in Japan time. */
export function answerText(a: CoverageAnswer, r: CoverageRequest): string {
  const out: string[] = [];
  const i = r.incident;
  out.push(`${a.programmeName} [${a.programme}]${a.version ? `, rules from ${a.version.effectiveFrom}` : ', not in force'}`);
  out.push(`Incident ${a.japanTime}: ${i.place}${i.island ? ` (${i.island})` : ''}, ${i.drivable ? 'drivable' : 'not drivable'}, ${km(i.distanceFromHomeKm)} from home${i.cause ? `, ${i.cause}` : ''}`);
  out.push('');
  const refusals = a.explanations.filter((e) => e.about === 'refusals');
  out.push(`Eligible: ${yesNo(a.eligible)}${a.eligible ? '' : ` (refused: ${a.refusals.join(', ')})`}`);
  for (const e of refusals) out.push(`  - ${e.code}: ${e.text}${cite(e.rule)}`);
  if (a.work.length > 0) {
    out.push('Work:');
    const width = Math.max(...a.work.map((w) => w.kind.length));
    for (const w of a.work) out.push(`  ${w.kind.padEnd(width)}  ${(w.covered ? 'covered' : 'not covered').padEnd(11)}  ${w.reason ?? ''}${cite(w.rule)}`);
  }
  if (a.tow) out.push(`Tow: ${a.tow.reason ?? `the member pays ${yen(a.tow.memberPaysYen)}`}`);
  if (a.afterFollow) out.push(`After-follow (${a.afterFollow.kind}): ${yesNo(a.afterFollow.eligible)}${a.afterFollow.limitYen !== null ? `, up to ${yen(a.afterFollow.limitYen)}` : ''}; ${a.afterFollow.reason ?? ''}`);
  if (a.compensation) {
    out.push(`Compensation: ${yesNo(a.compensation.eligible)}, claim deadline ${a.compensation.claimDeadline} (Japan date)`);
    for (const reason of a.compensation.reasons) out.push(`  - ${reason}`);
  }
  if (a.sceneRush !== undefined) out.push(`Scene rush (guard sent): ${yesNo(a.sceneRush)}`);
  if (a.limits) {
    const l = a.limits;
    out.push(`Limits: lodging ${yen(l.lodgingPerPersonYen)} per person, transport ${yen(l.transportPerPersonYen)} per person${l.transportPerVehicleYen !== undefined ? ` (taxi or rental car ${yen(l.transportPerVehicleYen)} per vehicle)` : ''}, pet hotel ${yen(l.petHotelPerCaseYen)} per case`);
    if (a.caseLimitsYen) out.push(`  this case: lodging ${yen(a.caseLimitsYen.lodging)}, transport ${yen(a.caseLimitsYen.transport)}, pet hotel ${yen(a.caseLimitsYen.petHotel)}`);
  }
  if (a.insuranceApplies !== undefined) out.push(`Insurance applies: ${yesNo(a.insuranceApplies)}${a.insuranceExclusions?.length ? ` (excluded: ${a.insuranceExclusions.join(', ')})` : ''}`);
  if (a.nocYen !== undefined) out.push(`Non-operation charge (NOC): ${yen(a.nocYen)}`);
  if (a.targetArrivalMinutes) out.push(`Service car: aims to arrive in about ${a.targetArrivalMinutes} minutes`);
  if (a.guidance.length > 0) {
    out.push('What to do:');
    a.guidance.forEach((g, n) => out.push(`  ${n + 1}. ${g.text}`));
  }
  const why = a.explanations.filter((e) => e.about !== 'refusals');
  if (why.length > 0) {
    out.push('Why:');
    for (const e of why) out.push(`  - ${e.about}${e.code ? ` ${e.code}` : ''}: ${e.text}${cite(e.rule)}`);
  }
  return `${out.join('\n')}\n`;
}
