import type { AfterFollowKind, CoverageAfterFollow, CoverageAnswer, CoverageLimits } from '../../protocol/index.js';
import { yen } from './format.js';
import { isRealDate } from './japan-time.js';
import type { Judge } from './judge.js';

type Part = Pick<CoverageAnswer, 'sceneRush' | 'limits' | 'caseLimitsYen'> & { benefitLimit: (kind: AfterFollowKind) => CoverageAfterFollow };

const norm = (s: string) => s.toLowerCase().trim();

/**
 * D5.6 and D5.9 (rakuten-drive-assist): the accident-scene rush by a guard, for accidents only; and,
 * when the car cannot move or was stolen, lodging and alternative transport per person per case and
 * a pet (dog or cat) hotel per case, each multiplied (doubled) for policies starting on or after a
 * date that were taken out other than on the internet.
 */
export function accidentAssist(judge: Judge, eligible: boolean): Part | undefined {
  const a = judge.rules.accidentAssist;
  if (!a) return undefined;
  const { incident } = judge.request;
  const member = judge.request.member ?? {};
  const b = a.benefits;

  const sceneRush = eligible && judge.holds(a.sceneRush.when, 'the accident-scene rush');
  judge.explain('sceneRush', `${sceneRush ? 'a guard is sent' : 'no guard is sent'}: ${a.sceneRush.reason}`, { rule: a.sceneRush.rule });
  if (sceneRush) for (const task of a.sceneRush.tasks) judge.advise(task, a.sceneRush.rule);

  if (member.policyStart === undefined) judge.need('member.policyStart', 'the limits depend on the policy start date');
  else if (!isRealDate(member.policyStart)) judge.invalid('member.policyStart', 'is not a real date');
  if (member.channel === undefined) judge.need('member.channel', 'the limits depend on how the policy was taken out');
  if (incident.persons === undefined) judge.need('incident.persons', 'lodging and transport are paid per person');
  const applies = eligible && judge.holds(b.when, 'lodging, transport and pet hotel');
  const increased = member.policyStart !== undefined && member.policyStart >= b.increased.policyStartFrom && member.channel !== undefined && b.increased.channels.includes(member.channel);
  const factor = increased ? b.increased.factor : 1;
  const pets = incident.pets ?? [];
  const pet = pets.some((p) => b.petKinds.some((k) => norm(k) === norm(p)));
  const scaled = (v: number) => (applies ? Math.round(v * factor) : 0);
  const limits = {
    lodgingPerPersonYen: scaled(b.lodgingPerPersonYen),
    transportPerPersonYen: scaled(b.transportPerPersonYen),
    petHotelPerCaseYen: pet ? scaled(b.petHotelPerCaseYen) : 0,
    transportPerVehicleYen: scaled(b.transportPerVehicleYen),
  } satisfies CoverageLimits;
  const persons = incident.persons ?? 1;
  const caseLimitsYen = { lodging: limits.lodgingPerPersonYen * persons, transport: limits.transportPerPersonYen * persons, petHotel: limits.petHotelPerCaseYen };

  if (!applies) judge.explain('limits', `no lodging, transport or pet hotel: ${b.reason}`, { rule: b.rule });
  else {
    judge.explain('limits', `${b.reason}: lodging ${yen(limits.lodgingPerPersonYen)} and transport ${yen(limits.transportPerPersonYen)} per person per case (taxi or rental car ${yen(limits.transportPerVehicleYen)} per vehicle), for ${persons} ${persons === 1 ? 'person' : 'persons'}`, { rule: b.rule });
    const taken = (c: string | undefined) => (c === 'other' ? 'other than on the internet' : `on the ${c ?? '?'}`);
    const inc = b.increased;
    judge.explain(
      'limits',
      increased
        ? `policy started ${member.policyStart} (on or after ${inc.policyStartFrom}), taken out ${taken(member.channel)}: limits x${inc.factor}`
        : `policy started ${member.policyStart ?? '?'}, taken out ${taken(member.channel)}: base limits (x${inc.factor} only for policies from ${inc.policyStartFrom} taken out ${inc.channels.map(taken).join(' or ')})`,
      { rule: inc.rule },
    );
    judge.explain('limits', pet ? `pet hotel up to ${yen(limits.petHotelPerCaseYen)} per case (${b.petKinds.join(' or ')} only)` : pets.length > 0 ? `no pet hotel: ${b.petKinds.join(' or ')} only (pets: ${pets.join(', ')})` : `no pet hotel: no ${b.petKinds.join(' or ')} in the car`, { rule: b.rule });
  }

  const benefitLimit = (kind: AfterFollowKind): CoverageAfterFollow => {
    const [limitYen, what] = kind === 'lodging' ? [limits.lodgingPerPersonYen, 'per person per case'] : kind === 'journey_home' ? [limits.transportPerPersonYen, 'per person per case'] : [limits.transportPerVehicleYen, 'per vehicle'];
    return applies ? { eligible: true, kind, limitYen, reason: `${yen(limitYen)} ${what} (see limits)` } : { eligible: false, kind, limitYen: null, reason: b.reason };
  };
  return { sceneRush, limits, caseLimitsYen, benefitLimit };
}
