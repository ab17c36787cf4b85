import { en, type Messages } from '../i18n/messages.js';

/** Durations and countdowns as the operator reads them. Every function takes `now`; none reads a clock. */

/** `0:07`, `12:30`, `1:02:03`; negative durations are shown by their size. */
export function formatDuration(ms: number): string {
  const total = Math.floor(Math.abs(ms) / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** Default answer target: NFPA 1225 asks for 90% of emergency calls answered within 10 seconds. */
export const DEFAULT_ANSWER_TARGET_S = 10;

export type AnswerTimerState = 'waiting' | 'warning' | 'overdue' | 'answered';

export interface AnswerTimer {
  state: AnswerTimerState;
  label: string;
  /** Milliseconds left to the target (negative when overdue); null once answered. */
  leftMs: number | null;
}

/**
 * The timer against the answer target. A call counts as answered from `connectedAt`; an unanswered
 * call warns in its last 30% of the target and is overdue after it.
 */
export function answerTimer(openedAt: string, now: number, targetS: number, connectedAt?: string, m: Messages = en): AnswerTimer {
  const opened = Date.parse(openedAt);
  if (connectedAt) {
    return { state: 'answered', label: m.answeredIn(formatDuration(Date.parse(connectedAt) - opened)), leftMs: null };
  }
  const leftMs = opened + targetS * 1000 - now;
  if (leftMs < 0) return { state: 'overdue', label: m.timerOver(formatDuration(leftMs)), leftMs };
  const state = leftMs <= targetS * 300 ? 'warning' : 'waiting';
  return { state, label: m.timerLeft(formatDuration(Math.ceil(leftMs / 1000) * 1000)), leftMs };
}

/** Age of a case, e.g. `3:05`. */
export function age(openedAt: string, now: number): string {
  return formatDuration(Math.max(0, now - Date.parse(openedAt)));
}

/**
 * What a lockout countdown shows. `until` null while the lockout is active means the call still holds it
 * (D3.5: it ends 60 minutes after clear-down, a time not known yet).
 */
export function lockoutCountdown(active: boolean, until: string | null, now: number, m: Messages = en): string {
  if (!active) return m.notLocked;
  if (until === null) return m.lockoutHeld;
  const left = Date.parse(until) - now;
  return left > 0 ? m.lockoutLeft(formatDuration(left)) : m.lockoutEnding;
}
