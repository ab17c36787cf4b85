import type { CoverageExplanation, CoverageGuidance, CoverageRequest } from '../../protocol/index.js';
import { holds, type When } from './conditions.js';
import type { ProgrammeRules } from './programme-schema.js';

/** A request the programme cannot judge: the fields it needs or cannot use (answered 400 `validation_failed`). */
export class CoverageInputError extends Error {
  constructor(readonly problems: { field: string; message: string }[]) {
    super(problems.map((p) => p.message).join('; '));
    this.name = 'CoverageInputError';
  }
}

/**
 * One assessment under way: the request, the rules in force, the instants it is judged at, and what
 * the answer collects (explanations, guidance, fields it could not do without). Pure: `at` and `now`
 * are given, never read from a clock.
 */
export class Judge {
  readonly explanations: CoverageExplanation[] = [];
  readonly guidance: CoverageGuidance[] = [];
  private readonly problems = new Map<string, string>();

  constructor(
    readonly request: CoverageRequest,
    readonly rules: ProgrammeRules,
    readonly programmeId: string,
    /** `incident.at` in ms. */
    readonly at: number,
    /** The time of the assessment, for what depends on "now" (a claim deadline without `claimAt`). */
    readonly now: number,
  ) {}

  /** A condition of the programme file; one it cannot judge records the fields it needs and counts as false. */
  holds(when: When, why: string): boolean {
    const v = holds(this.request, when);
    if (typeof v === 'boolean') return v;
    for (const field of v.missing) this.need(field, why);
    return false;
  }

  /** The first item whose condition holds; the fields missing to judge the others matter only when none does. */
  first<T extends { when: When }>(items: readonly T[], why: string): T | undefined {
    const verdicts = items.map((item) => holds(this.request, item.when));
    const found = verdicts.indexOf(true);
    if (found >= 0) return items[found];
    for (const v of verdicts) if (typeof v !== 'boolean') for (const field of v.missing) this.need(field, why);
    return undefined;
  }

  /** A condition that only adds to the answer (a guidance line): one it cannot judge is simply false. */
  mayHold(when: When): boolean {
    return holds(this.request, when) === true;
  }

  /** A field this answer cannot do without. */
  need(field: string, why: string): void {
    if (!this.problems.has(field)) this.problems.set(field, `${field} is needed (${this.programmeId}: ${why})`);
  }

  /** A field given but unusable (a date that is not one). */
  invalid(field: string, why: string): void {
    if (!this.problems.has(field)) this.problems.set(field, `${field} ${why}`);
  }

  explain(about: string, text: string, extra: { code?: string; rule?: string | undefined } = {}): void {
    this.explanations.push({ about, ...(extra.code ? { code: extra.code } : {}), ...(extra.rule ? { rule: extra.rule } : {}), text });
  }

  advise(text: string, rule?: string): void {
    this.guidance.push({ ...(rule ? { rule } : {}), text });
  }

  /** Throws CoverageInputError when some part of the answer could not be judged. */
  finish(): void {
    if (this.problems.size > 0) throw new CoverageInputError([...this.problems].map(([field, message]) => ({ field, message })));
  }
}
