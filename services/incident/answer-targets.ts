import type { Logger } from 'pino';
import type { Case } from '../../protocol/index.js';
import type { Clock, TimerHandle } from '../../lib/clock/index.js';
import { escalationAudit } from '../audit/entries.js';
import type { IncidentCore } from './core.js';
import { answerTargetMs, decideEscalation, escalationDueAt, isRefusal } from './domain/index.js';
import type { Metrics } from './metrics.js';
import type { Store } from './store/port.js';

/** How long one instance holds the claim on an escalation; the others look again after it, in case it died. */
export const ESCALATION_CLAIM_MS = 30_000;

/**
 * Contract "Answer targets": one timer per open case at `openedAt + ANSWER_TARGET_S[priority]`, on the
 * injected clock (as lockout-scheduler.ts). Every instance sharing the store arms it: at start-up from
 * the open cases (a target passed while all were down fires at once) and from `case.opened` /
 * `case.updated` on the feed (a joining trigger raises the priority and brings the target forward).
 * When it falls due, the instance that claims it (a lease in the store) decides; the others look again
 * once the claim ran out. The decision itself (domain/escalation.ts) is a version-checked commit on the
 * stored case that sets `escalatedAt` only once, so even a second firing escalates nothing: exactly once.
 */
export class AnswerTargets {
  private readonly timers = new Map<string, TimerHandle>();
  private stopped = false;

  constructor(
    private readonly deps: { clock: Clock; store: Store; core: IncidentCore; metrics: Metrics; logger: Logger; targetsS: readonly [number, number, number] },
  ) {}

  async start(): Promise<number> {
    const open = await this.deps.store.listCases('open');
    for (const c of open) this.note(c);
    return this.timers.size;
  }

  /** A case as the feed shows it: armed while it may still need escalating, forgotten otherwise. */
  note(c: Pick<Case, 'id' | 'vin' | 'status' | 'priority' | 'openedAt' | 'escalatedAt' | 'answeredAt' | 'test' | 'operatorId'>): void {
    if (c.status !== 'open' || c.escalatedAt !== undefined || c.answeredAt !== undefined || c.test || c.operatorId !== undefined) return this.forget(c.id);
    this.arm(c.id, c.vin, escalationDueAt(c, this.deps.targetsS));
  }

  private arm(caseId: string, vin: string, due: number): void {
    if (this.stopped) return;
    const existing = this.timers.get(caseId);
    if (existing && existing.due === due) return;
    if (existing) this.deps.clock.clearTimer(existing);
    const handle = this.deps.clock.setTimer(due - this.deps.clock.now(), () => {
      if (this.timers.get(caseId) === handle) this.timers.delete(caseId);
      this.fire(caseId, vin, due).catch((err) => {
        this.deps.logger.error({ err, caseId }, 'escalation failed; retrying in 5 s');
        this.arm(caseId, vin, this.deps.clock.now() + 5_000);
      });
    });
    this.timers.set(caseId, handle);
  }

  private forget(caseId: string): void {
    const t = this.timers.get(caseId);
    if (t) this.deps.clock.clearTimer(t);
    this.timers.delete(caseId);
  }

  private async fire(caseId: string, vin: string, due: number): Promise<void> {
    if (!(await this.deps.store.claim(`escalation:${caseId}:${due}`, ESCALATION_CLAIM_MS))) {
      this.arm(caseId, vin, this.deps.clock.now() + ESCALATION_CLAIM_MS); // another instance has it; look again if it died
      return;
    }
    await this.escalate(caseId, vin);
  }

  /** Decides the escalation of one case now (the timer's work; tests call it to race two instances). */
  async escalate(caseId: string, vin: string): Promise<boolean> {
    const { targetsS } = this.deps;
    const result = await this.deps.core.run(vin, (aggregate, ctx) => decideEscalation(aggregate, caseId, ctx, targetsS), {
      audit: ({ decision }) => decision.cases.filter((c) => c.id === caseId && c.escalatedAt !== undefined).map((c) => escalationAudit(c, answerTargetMs(c.priority, targetsS) / 1000)),
    });
    if (isRefusal(result) || result.status !== 'ok') return false;
    const c = result.decision.cases.find((x) => x.id === caseId);
    if (!c) return false;
    this.deps.metrics.escalations.inc({ priority: String(c.priority) });
    this.deps.logger.warn({ caseId, vin }, result.decision.outcome);
    return true;
  }

  /** An answered call's answer time, in the histogram and against its target (contract "Answer targets"). */
  observeAnswer(c: Pick<Case, 'priority' | 'openedAt' | 'answeredAt'>): void {
    if (c.answeredAt === undefined) return;
    const seconds = (Date.parse(c.answeredAt) - Date.parse(c.openedAt)) / 1000;
    const priority = String(c.priority);
    this.deps.metrics.answerTime.observe({ priority }, seconds);
    if (seconds * 1000 <= answerTargetMs(c.priority, this.deps.targetsS)) this.deps.metrics.answersWithinTarget.inc({ priority });
  }

  armed(): number {
    return this.timers.size;
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) this.deps.clock.clearTimer(t);
    this.timers.clear();
  }
}
