import type { AnyFeedMessage, Case, LockoutView, VoiceSession } from '../../../../protocol/index.js';
import { jstTime } from '../i18n/index.js';
import { en, type Messages } from '../i18n/messages.js';

/** Words for the operator (in the console's language, English by default); codes stay on the wire. */
export const TRIGGER_LABEL: Record<Case['trigger'], string> = en.trigger;
export const FEATURE_LABEL: Record<LockoutView['features'][number], string> = en.feature;

export function resolutionLabel(code: string, m: Messages = en): string {
  return m.resolutionName[code] ?? code.replaceAll('_', ' ');
}

export function describeSession(s: VoiceSession, m: Messages = en): string {
  if (s.state === 'cleared') return s.clearedBy ? m.session.clearedBy(m.session.clearedByName[s.clearedBy] ?? s.clearedBy) : m.session.cleared;
  // D2.6: a call-back is the same session again, one more entry in `callbacks`.
  const again = s.callbacks.length > 0;
  if (s.state === 'ringing') return again ? m.session.callingBack : m.session.ringing;
  return again ? m.session.callbackConnected : m.session.connected;
}

export function describeLockout(l: LockoutView, m: Messages = en): string {
  if (!l.active) return m.tl.lockoutLifted;
  const features = l.features.map((f) => m.feature[f]).join(m.lang === 'ja' ? '、' : ', ');
  // D3.5: until is null while the call holds the lockout.
  return l.until ? m.tl.lockoutUntil(jstTime(l.until), features) : m.tl.lockoutHeld(features);
}

/** One line per feed message for the case timeline. */
export function describeMessage(msg: AnyFeedMessage, m: Messages = en): string {
  switch (msg.type) {
    case 'case.opened':
      return m.tl.opened(m.trigger[msg.case.trigger], msg.case.priority, msg.case.test);
    case 'case.updated':
      return m.tl.updated(msg.case.operatorId);
    case 'case.closed':
      return m.tl.closed(msg.case.resolution ? resolutionLabel(msg.case.resolution, m) : undefined);
    case 'session.updated':
      return describeSession(msg.session, m);
    case 'lockout.updated':
      return describeLockout(msg.lockout, m);
    case 'case.escalated':
      return m.tl.escalated;
    default:
      // Message types added to the contract later: named, not hidden.
      return m.tl.other((msg as { type: string }).type);
  }
}
