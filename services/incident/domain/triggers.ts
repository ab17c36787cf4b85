import { PRIORITY_BY_TRIGGER, type Case, type Trigger, type VehicleEvent, type VoiceSession } from '../../../protocol/index.js';
import type { Changes } from './changes.js';
import { holdLockout, lockedFeatures } from './lockout.js';

/** D2.2: auto-notification calls (airbag, impact) can only be hung up by the operator. */
export function hangupPolicyFor(trigger: Trigger): VoiceSession['hangupPolicy'] {
  return trigger === 'airbag' || trigger === 'impact' ? 'operator_only' : 'either';
}

/**
 * Opens a case and its voice session for a trigger (D2.1): the call rings until an operator answers,
 * the car's audio is muted until clear-down (D2.5), and the trigger's features lock (D3.1, D3.2, D3.5).
 */
export function openCase(ch: Changes, event: VehicleEvent, trigger: Trigger): Case {
  const test = event.test ?? false;
  const caseId = ch.ctx.newId();
  const sessionId = ch.ctx.newId();
  ch.setLockout(holdLockout(ch.vehicle.lockout, sessionId, lockedFeatures(trigger, test), ch.now));
  const session: VoiceSession = {
    id: sessionId,
    caseId,
    vin: event.vin,
    state: 'ringing',
    hangupPolicy: hangupPolicyFor(trigger),
    audioMuted: true,
    openedAt: ch.at,
    callbacks: [],
  };
  const opened: Case = {
    id: caseId,
    vin: event.vin,
    trigger,
    priority: PRIORITY_BY_TRIGGER[trigger],
    status: 'open',
    openedAt: ch.at,
    eventId: event.eventId,
    position: event.position,
    occupants: event.occupants ?? null,
    test,
    sessionId,
    lockout: ch.view(),
    data: { ...event.data },
  };
  ch.openCase(opened, session);
  ch.command({ cmd: 'call.state', sessionId, state: 'ringing', audioMuted: true });
  return opened;
}
