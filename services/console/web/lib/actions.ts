import type { Agency, Case, DispatchStatus, VoiceSession } from '../../../../protocol/index.js';

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

/** The case's triggers: the opening one and those that joined the call (contract "One call at a time"). */
function triggerTypes(c: Case): string[] {
  return c.triggers?.length ? c.triggers.map((t) => t.type) : [c.trigger];
}

/** An airbag, impact or SOS call (any trigger): what no response and emergency dispatch are for (D4.2). */
export function isEmergency(c: Case): boolean {
  return triggerTypes(c).some((t) => t !== 'trouble');
}

/**
 * The resolutions a case may close with, most likely first (issue 14 part 2): a test call cannot be
 * closed as "emergency dispatched", a trouble case offers the trouble resolutions.
 */
export function resolutionsFor(c: Case): readonly string[] {
  if (c.test) return ['test_call', 'accidental', 'duplicate', 'other'];
  if (!isEmergency(c)) return ['road_service_arranged', 'advice_given', 'accidental', 'duplicate', 'other'];
  const noResponse = (c.dispatches ?? []).some((d) => d.noResponse);
  const emergency = ['emergency_dispatched', 'no_response_dispatched', 'road_service_arranged', 'advice_given', 'accidental', 'duplicate', 'other'];
  // After "no response" the matching resolution comes first.
  return noResponse ? ['no_response_dispatched', ...emergency.filter((r) => r !== 'no_response_dispatched')] : emergency;
}

const FORWARD: readonly DispatchStatus[] = ['requested', 'en_route', 'on_scene', 'completed'];

/** Contract "Dispatches": the statuses a dispatch may move to (forward, steps may be skipped, or cancelled); none once finished. */
export function nextStatuses(status: DispatchStatus): Exclude<DispatchStatus, 'requested'>[] {
  if (status === 'completed' || status === 'cancelled') return [];
  const after = FORWARD.slice(FORWARD.indexOf(status) + 1) as Exclude<DispatchStatus, 'requested'>[];
  return [...after, 'cancelled'];
}

/** The agencies a no-response sends (D4.2, D4.3), as the service decides them: shown in the confirmation. */
export function noResponseAgencies(c: Case): Agency[] {
  return c.severity?.recommend.includes('doctor_heli') ? ['fire_ambulance', 'police', 'doctor_heli'] : ['fire_ambulance', 'police'];
}
