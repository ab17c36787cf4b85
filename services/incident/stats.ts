import { isoTime, type AnswerTimeStats, type Case, type QueueDepth, type Stats, type VoiceSession } from '../../protocol/index.js';
import { answerTargetMs, isOpenDispatch } from './domain/index.js';

/** The answer-time window of `GET /v1/stats`: cases opened in the last 24 hours (services/README.md, "Dispatches, no response, answer targets and stats"). */
export const STATS_WINDOW_HOURS = 24;

export interface StatsInput {
  now: number;
  open: Case[];
  /** Closed cases opened in the window. */
  closed: Case[];
  sessions: Map<string, VoiceSession>;
  targetsS: readonly [number, number, number];
}

const PRIORITIES = [1, 2, 3] as const;

/** The nearest-rank percentile of sorted values (p in 0..1). */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
}

/**
 * Contract "Answer targets", `GET /v1/stats`, from the cases themselves (so every instance sharing the
 * store answers the same): queue depth of the open cases by priority and their call's state; answer
 * times (`answeredAt - openedAt`) of the calls answered among cases opened in the window, open or
 * closed, p50 / p90 by nearest rank and the share answered within the priority's target; unfinished
 * dispatches of those cases; operators on duty = distinct operators holding an open case.
 */
export function computeStats({ now, open, closed, sessions, targetsS }: StatsInput): Stats {
  const since = now - STATS_WINDOW_HOURS * 3_600_000;
  const queue = Object.fromEntries(PRIORITIES.map((p) => [String(p), { ringing: 0, connected: 0, cleared: 0 } as QueueDepth])) as Stats['queue']['byPriority'];
  let oldestRinging: number | null = null;
  for (const c of open) {
    const state = sessions.get(c.sessionId)?.state;
    if (!state) continue;
    queue[String(c.priority) as '1' | '2' | '3'][state] += 1;
    if (state === 'ringing') oldestRinging = Math.max(oldestRinging ?? 0, (now - Date.parse(c.openedAt)) / 1000);
  }
  const windowed = [...open, ...closed].filter((c) => Date.parse(c.openedAt) >= since);
  const answerTime = Object.fromEntries(
    PRIORITIES.map((p) => {
      const times = windowed
        .filter((c) => c.priority === p && c.answeredAt !== undefined)
        .map((c) => (Date.parse(c.answeredAt!) - Date.parse(c.openedAt)) / 1000)
        .sort((a, b) => a - b);
      const targetSeconds = answerTargetMs(p, targetsS) / 1000;
      const within = times.filter((t) => t <= targetSeconds).length;
      const stats: AnswerTimeStats = {
        p50Seconds: percentile(times, 0.5),
        p90Seconds: percentile(times, 0.9),
        withinTargetShare: times.length > 0 ? within / times.length : null,
        answered: times.length,
        targetSeconds,
      };
      return [String(p), stats];
    }),
  ) as Stats['answerTime']['byPriority'];
  const dispatchesOpen = [...open, ...closed].reduce((n, c) => n + (c.dispatches ?? []).filter(isOpenDispatch).length, 0);
  const operatorsOnDuty = new Set(open.flatMap((c) => (c.operatorId !== undefined ? [c.operatorId] : []))).size;
  return {
    queue: { byPriority: queue, oldestRingingSeconds: oldestRinging },
    answerTime: { byPriority: answerTime, windowHours: STATS_WINDOW_HOURS, since: isoTime(since) },
    dispatchesOpen,
    operatorsOnDuty,
    at: isoTime(now),
  };
}
