import type { CoverageAnswer } from '../../protocol/index.js';
import { yen } from './format.js';
import type { Judge } from './judge.js';

type Part = Pick<CoverageAnswer, 'nocYen' | 'insuranceApplies' | 'insuranceExclusions'>;

/**
 * D5.9 car-share (seed 004): the insurance does not apply when one of the programme's exclusions holds
 * (no report to the police and the company, a tyre-only loss, ...); the non-operation charge (NOC) is
 * one amount if the car is driven back to its station and another if it cannot be driven.
 */
export function carShare(judge: Judge): Part | undefined {
  const c = judge.rules.carShare;
  if (!c) return undefined;
  const exclusions = Object.entries(c.insuranceExclusions).filter(([code, x]) => judge.holds(x.when, `insurance exclusion ${code}`));
  for (const [code, x] of exclusions) judge.explain('insuranceApplies', x.reason, { code, rule: x.rule });
  if (exclusions.length === 0) judge.explain('insuranceApplies', `no exclusion of the insurance applies (${Object.keys(c.insuranceExclusions).length} checked)`);

  const charged = judge.holds(c.noc.when, 'the non-operation charge');
  const drivable = judge.request.incident.drivable;
  const nocYen = charged ? (drivable ? c.noc.drivableYen : c.noc.notDrivableYen) : 0;
  judge.explain('nocYen', charged ? `${yen(nocYen)}: ${drivable ? 'the car can be driven back to its station' : 'the car cannot be driven'}; ${c.noc.reason}` : `no non-operation charge: ${c.noc.reason}`, { rule: c.noc.rule });
  return { nocYen, insuranceApplies: exclusions.length === 0, insuranceExclusions: exclusions.map(([code]) => code) };
}
