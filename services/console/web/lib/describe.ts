import type { Case, FeedMessage, LockoutView, VoiceSession } from '../../../../protocol/index.js';

/** Words for the operator; codes stay on the wire. */
export const TRIGGER_LABEL: Record<Case['trigger'], string> = {
  airbag: 'Airbag deployed',
  impact: 'Impact',
  sos: 'SOS button',
  trouble: 'Trouble support',
};

export const FEATURE_LABEL: Record<LockoutView['features'][number], string> = {
  remote_operations: 'Remote operations',
  trouble_button: 'Trouble support button',
  security_alarm: 'Security-alarm notices',
  wifi: 'In-car Wi-Fi',
  app_center: 'App-centre apps',
};

export function describeSession(s: VoiceSession): string {
  if (s.state === 'cleared') return s.clearedBy ? `Call cleared (by ${s.clearedBy.replace('_', ' ')})` : 'Call cleared';
  // D2.6: a call-back is the same session again, one more entry in `callbacks`.
  const again = s.callbacks.length > 0;
  if (s.state === 'ringing') return again ? 'Calling the car back' : 'Call ringing';
  return again ? 'Call-back connected' : 'Call connected';
}

export function describeLockout(l: LockoutView): string {
  if (!l.active) return 'Lockout lifted';
  const until = l.until ? `until ${l.until.slice(11, 19)} UTC` : 'until 60 min after clear-down';
  return `Lockout ${until}: ${l.features.map((f) => FEATURE_LABEL[f]).join(', ')}`;
}

/** One line per feed message for the case timeline. */
export function describeMessage(msg: FeedMessage): string {
  switch (msg.type) {
    case 'case.opened':
      return `Opened: ${TRIGGER_LABEL[msg.case.trigger]}, priority ${msg.case.priority}${msg.case.test ? ' (test call)' : ''}`;
    case 'case.updated':
      return msg.case.operatorId ? `Updated (operator ${msg.case.operatorId})` : 'Updated';
    case 'case.closed':
      return `Closed${msg.case.resolution ? `: ${msg.case.resolution.replaceAll('_', ' ')}` : ''}`;
    case 'session.updated':
      return describeSession(msg.session);
    case 'lockout.updated':
      return describeLockout(msg.lockout);
  }
}
