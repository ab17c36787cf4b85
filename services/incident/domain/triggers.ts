import { PRIORITY_BY_TRIGGER, compareQueueOrder, type Case, type CaseTrigger, type LockoutFeature, type Trigger, type VehicleEvent, type VoiceSession } from '../../../protocol/index.js';
import type { Changes } from './changes.js';
import { holdLockout, lockedFeatures } from './lockout.js';
import { knownAt, recentPositions, withPositions, type KnownPositions } from './positions.js';
import { crashSeverity, isCrash, type CrashEvent } from './severity.js';

/** D2.2: auto-notification calls (airbag, impact) can only be hung up by the operator. */
export function hangupPolicyFor(trigger: Trigger): VoiceSession['hangupPolicy'] {
  return trigger === 'airbag' || trigger === 'impact' ? 'operator_only' : 'either';
}

/** The events a case stands for, the opening one first (a case stored before `triggers` existed: its own). */
export function triggersOf(c: Case): CaseTrigger[] {
  return c.triggers ?? [{ type: c.trigger, eventId: c.eventId, at: c.openedAt }];
}

/** What a case's call locks out: the union over every trigger that joined it (D3.1, D3.2). */
export function caseFeatures(c: Case): LockoutFeature[] {
  return [...new Set(triggersOf(c).flatMap((t) => lockedFeatures(t.type, c.test)))];
}

/** Where the car is: the event's own position, then what telemetry knew before it (D2.1, D2.7). */
function freshPositions(event: VehicleEvent, known: KnownPositions | null) {
  return [knownAt(event.position, event.ts), known?.last, ...(known?.track ?? [])];
}

/**
 * Opens a case and its voice session for a trigger (D2.1): the call rings until an operator answers,
 * the car's audio is muted until clear-down (D2.5), and the trigger's features lock (D3.1, D3.2, D3.5).
 * A crash carries its severity (D4.3); the case shows the car's last known position and the track
 * before it (D2.1, D2.7: a position from telemetry when the event has none).
 */
export function openCase(ch: Changes, event: VehicleEvent, trigger: Trigger, known: KnownPositions | null = null): Case {
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
  const { lastKnownPosition, track } = recentPositions(freshPositions(event, known), ch.ctx.positionMinMetres);
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
    triggers: [{ type: trigger, eventId: event.eventId, at: ch.at }],
    ...(isCrash(trigger) ? { severity: crashSeverity(event as CrashEvent, ch.ctx) } : {}),
    lastKnownPosition,
    track,
  };
  ch.openCase(opened, session);
  ch.command({ cmd: 'call.state', sessionId, state: 'ringing', audioMuted: true });
  return opened;
}

/**
 * Contract "One call at a time": the live call (ringing or connected) that a further emergency event
 * of the car joins, or none. A test event joins only a test call and a real one only a real call: a
 * real emergency is never hidden in a test case. Of several live calls (stored before this rule), the
 * one whose case comes first in the queue.
 */
export function liveCallFor(ch: Changes, event: VehicleEvent): { c: Case; session: VoiceSession } | null {
  const test = event.test ?? false;
  const live = ch
    .liveSessions()
    .map((session) => ({ session, c: ch.case(session.caseId) }))
    .filter((x): x is { session: VoiceSession; c: Case } => x.c !== undefined && x.c.status === 'open' && x.c.test === test);
  live.sort((a, b) => compareQueueOrder(a.c, b.c));
  return live[0] ?? null;
}

/**
 * Contract "One call at a time": an airbag, impact or SOS event during a live call joins that call's
 * case instead of opening another. It is listed in `triggers`; the priority rises to the highest of
 * them; the lockout widens to the union of their features (D3.1, D3.2; the call holds it until
 * clear-down, D3.5); a crash makes the call operator-only (D2.2) and gets a severity, a further crash
 * in the same call counting as a multiple impact (D4.3), the worse estimate kept; the event's position
 * is added to the case's. One `case.updated` (and `session.updated` when the call changed).
 */
export function joinLiveCall(ch: Changes, live: { c: Case; session: VoiceSession }, event: VehicleEvent, trigger: Trigger, known: KnownPositions | null = null): Case {
  const { c, session } = live;
  const before = triggersOf(c);
  let severity = c.severity;
  if (isCrash(trigger)) {
    const next = crashSeverity(event as CrashEvent, ch.ctx, before.some((t) => isCrash(t.type)));
    severity = severity !== undefined && severity.probability >= next.probability ? severity : next;
  }
  const joined: Case = withPositions(
    {
      ...c,
      priority: Math.min(c.priority, PRIORITY_BY_TRIGGER[trigger]) as Case['priority'],
      occupants: c.occupants ?? event.occupants ?? null,
      triggers: [...before, { type: trigger, eventId: event.eventId, at: ch.at, data: { ...event.data } }],
      ...(severity ? { severity } : {}),
    },
    freshPositions(event, known),
    ch.ctx.positionMinMetres,
  );
  ch.putCase(joined);
  if (hangupPolicyFor(trigger) === 'operator_only' && session.hangupPolicy !== 'operator_only') {
    ch.putSession({ ...session, hangupPolicy: 'operator_only' });
  }
  ch.setLockout(holdLockout(ch.vehicle.lockout, session.id, lockedFeatures(trigger, c.test), ch.now));
  return joined;
}
