import type { CoverageAnswer, CoverageRequest, CoverageTow, CoverageWork, CoverageWorkAnswer } from '../../protocol/index.js';
import { accidentAssist } from './accident-assist.js';
import { afterFollow } from './after-follow.js';
import { carShare } from './car-share.js';
import { versionAt } from './catalogue.js';
import { compensation } from './compensation.js';
import { inJapan } from './japan-time.js';
import { Judge } from './judge.js';
import type { Programme } from './programme-schema.js';
import { towFee } from './tow.js';

export { CoverageInputError } from './judge.js';

export interface AssessOptions {
  /** The time of the assessment (the service's clock): only what depends on "now" reads it. */
  now: number;
}

/**
 * What `programme` covers for one incident, with the reason for each answer (contract "Coverage").
 * Pure: the version is the one in force on the Japan date of `incident.at`; the band, the fiscal year
 * and the deadlines are judged on `incident.at`, `member.calledAt`, `incident.claimAt` and `now`.
 * Throws CoverageInputError when the request lacks a field the programme needs to answer.
 */
export function assess(programme: Programme, given: CoverageRequest, { now }: AssessOptions): CoverageAnswer {
  const request = withDefaults(given);
  const at = Date.parse(request.incident.at);
  const japan = inJapan(at);
  const head = { programme: programme.id, programmeName: programme.name, japanTime: `${japan.text} JST` };
  const version = versionAt(programme, japan.date);
  if (!version) {
    const first = programme.versions[0]!.effectiveFrom;
    const reason = `${programme.id} is in force from ${first}; the incident is on ${japan.date} (Japan date)`;
    return { ...head, eligible: false, refusals: ['programme_not_in_force'], work: request.incident.work.map((kind) => ({ kind, covered: false, reason })), version: null, guidance: [], explanations: [{ about: 'refusals', code: 'programme_not_in_force', text: reason }] };
  }
  const { rules } = version;
  const judge = new Judge(request, rules, programme.id, at, now);
  judge.explain('version', `the incident is on ${japan.date} (Japan date): rules in force from ${version.effectiveFrom}${version.note ? `, ${version.note}` : ''}`);

  // D5.3, D5.4: what the programme refuses outright.
  const refusals: string[] = [];
  for (const [code, r] of Object.entries(rules.refusals)) {
    if (!judge.holds(r.when, `refusal ${code}`)) continue;
    refusals.push(code);
    judge.explain('refusals', r.reason, { code, rule: r.rule });
  }
  const eligible = refusals.length === 0;
  const checked = Object.keys(rules.refusals).length;
  if (eligible) judge.explain('eligible', checked === 0 ? `${programme.id} refuses no request on its own terms` : `none of the ${checked} refusals of ${programme.id} applies`);

  // D5.1, D5.2: each piece of work asked for; the tow's fee when it is covered.
  let tow: CoverageTow | undefined;
  const work = request.incident.work.map((kind): CoverageWorkAnswer => {
    const answer = workAnswer(judge, kind, refusals);
    if (kind === 'tow' && answer.covered && rules.tow) {
      const towKm = request.incident.towKm;
      if (towKm === undefined) judge.need('incident.towKm', 'the tow fee depends on the distance');
      else tow = towFee(rules.tow, towKm, at);
    }
    return answer;
  });
  if (tow && rules.tow?.note) judge.explain('tow', rules.tow.note, { rule: rules.tow.rule });

  const compensated = compensation(judge, refusals);
  const assist = accidentAssist(judge, eligible);
  const fleet = carShare(judge);
  const follow = afterFollow(judge, eligible, assist?.benefitLimit);
  for (const g of rules.guidance ?? []) if (!g.when || judge.mayHold(g.when)) judge.advise(g.text, g.rule);
  judge.finish();

  return {
    ...head,
    eligible,
    refusals,
    work,
    ...(tow ? { tow } : {}),
    ...(follow ? { afterFollow: follow } : {}),
    ...(compensated ? { compensation: compensated } : {}),
    ...(assist ? { sceneRush: assist.sceneRush, limits: assist.limits, caseLimitsYen: assist.caseLimitsYen } : {}),
    ...(fleet ?? {}),
    version: { effectiveFrom: version.effectiveFrom, ...(version.note ? { note: version.note } : {}) },
    ...(rules.targetArrivalMinutes ? { targetArrivalMinutes: rules.targetArrivalMinutes } : {}),
    guidance: judge.guidance,
    explanations: judge.explanations,
  };
}

/** Optional fields whose absence means "no" (contract "Coverage"): a tyre-only loss, pets in the car. */
function withDefaults(request: CoverageRequest): CoverageRequest {
  return { ...request, incident: { tyreOnly: false, pets: [], ...request.incident } };
}

/** D5.1: covered as the programme lists it, unless one of its exceptions holds; nothing when refused. */
function workAnswer(judge: Judge, kind: CoverageWork, refusals: string[]): CoverageWorkAnswer {
  const rule = judge.rules.work[kind];
  if (!rule) return { kind, covered: false, reason: `not a service of ${judge.programmeId}` };
  const cite = rule.rule ? { rule: rule.rule } : {};
  if (refusals.length > 0) return { kind, covered: false, reason: `the programme refuses this request: ${refusals.join(', ')}`, ...cite };
  if (!rule.covered) return { kind, covered: false, reason: rule.reason, ...cite };
  const exception = judge.first(rule.unless ?? [], `work ${kind}`);
  if (exception) return { kind, covered: false, reason: exception.reason, ...(exception.rule ? { rule: exception.rule } : cite) };
  return { kind, covered: true, reason: rule.reason, ...cite };
}
