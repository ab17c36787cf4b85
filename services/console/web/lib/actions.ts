import type { Case, VoiceSession } from '../../../../protocol/index.js';

export type CaseActionName = 'answer' | 'hangup' | 'callback' | 'close';

export type Allowed = Record<CaseActionName, boolean>;

/**
 * Which buttons the case view offers. The service decides in the end (and says why when it refuses);
 * this only keeps the operator from pressing what cannot work.
 */
export function canDo(c: Case, session: VoiceSession | undefined): Allowed {
  const open = c.status === 'open';
  const state = session?.state;
  return {
    answer: open && state === 'ringing',
    // The operator may hang up any call, auto-notifications included (D2.2: only the operator can).
    hangup: open && (state === 'ringing' || state === 'connected'),
    // D2.6: the centre calls the car back only after clear-down.
    callback: open && state === 'cleared',
    // Closing needs the call cleared first.
    close: open && state === 'cleared',
  };
}
