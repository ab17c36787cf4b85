import type { EventOf, SecurityAlert, Trigger, VehicleEvent } from '../../../protocol/index.js';
import { clearCall } from './calls.js';
import { Changes } from './changes.js';
import { isFeatureLocked, lockoutView } from './lockout.js';
import type { KnownPositions } from './positions.js';
import type { DecideContext, Decision, VehicleAggregate } from './state.js';
import { joinLiveCall, liveCallFor, openCase } from './triggers.js';

/**
 * decide(event, state) with `now` injected (STYLE 6): pure, so tests and replays drive it on any clock.
 * `known`: what telemetry told of the car's position before the event (D2.1, D2.7), read by ingest.
 */
export function decideEvent(aggregate: VehicleAggregate, event: VehicleEvent, ctx: DecideContext, known: KnownPositions | null = null): Decision {
  const ch = new Changes(aggregate, ctx);
  switch (event.type) {
    case 'airbag':
      return ch.finish(emergency(ch, event, 'airbag', known, 'airbag deployed (D1.1)'));
    case 'impact':
      return impact(ch, event, known);
    case 'sos':
      return ch.finish(emergency(ch, event, 'sos', known, 'SOS button (D1.3)'));
    case 'trouble':
      return troublePress(ch, event, known);
    case 'power':
      return power(ch, event);
    case 'security-alarm':
      return securityAlarm(ch, event);
  }
}

/**
 * An emergency trigger (D1.1, D1.2, D1.3): it joins the car's live call if there is one (contract "One
 * call at a time"), else opens a case and its call.
 */
function emergency(ch: Changes, event: VehicleEvent, trigger: Trigger, known: KnownPositions | null, why: string): string {
  const live = liveCallFor(ch, event);
  if (live) {
    const joined = joinLiveCall(ch, live, event, trigger, known);
    return `${why} joined the live call of case ${joined.id} (one call at a time): priority ${joined.priority}`;
  }
  return `case ${openCase(ch, event, trigger, known).id} opened: ${why}`;
}

/** D1.2: over the threshold an impact auto-notifies like an airbag; below it, it is only recorded. */
function impact(ch: Changes, event: EventOf<'impact'>, known: KnownPositions | null): Decision {
  const { deltaVKmh, direction } = event.data;
  const escalated = deltaVKmh >= ch.ctx.impactThresholdKmh;
  ch.impacts.push({ eventId: event.eventId, vin: event.vin, at: ch.at, deltaVKmh, escalated, ...(direction ? { direction } : {}) });
  if (!escalated) return ch.finish(`impact of ${deltaVKmh} km/h recorded, below ${ch.ctx.impactThresholdKmh} km/h (D1.2)`);
  return ch.finish(emergency(ch, event, 'impact', known, `impact of ${deltaVKmh} km/h (D1.2)`));
}

/**
 * The trouble support button: during a call it is the car's hang-up (D2.3), refused for auto calls
 * (D2.2); during a lockout it is unavailable (D3.1); otherwise it opens a trouble call (D1.4).
 */
function troublePress(ch: Changes, event: EventOf<'trouble'>, known: KnownPositions | null): Decision {
  const live = ch.liveSessions();
  if (live.length > 0) {
    const mayHangUp = live.filter((s) => s.hangupPolicy === 'either');
    for (const s of mayHangUp) clearCall(ch, s, 'vehicle');
    const refused = live.length - mayHangUp.length;
    if (refused > 0) ch.command({ cmd: 'notice', code: 'hangup_rejected' });
    return ch.finish(`trouble button during a call: ${mayHangUp.length} hung up by the car (D2.3), ${refused} refused (D2.2)`);
  }
  if (isFeatureLocked(ch.vehicle.lockout, 'trouble_button', ch.now)) {
    const until = lockoutView(event.vin, ch.vehicle.lockout, ch.now).until;
    ch.command({ cmd: 'notice', code: 'trouble_button_unavailable', ...(until ? { until } : {}) });
    return ch.finish('trouble button unavailable during the lockout, no case (D3.1)');
  }
  return ch.finish(`case ${openCase(ch, event, 'trouble', known).id} opened: trouble support button (D1.4)`);
}

/** D2.4: power mode OFF drops every call in progress. */
function power(ch: Changes, event: EventOf<'power'>): Decision {
  ch.vehicle = { ...ch.vehicle, powerMode: event.data.mode };
  if (event.data.mode !== 'off') return ch.finish(`power mode ${event.data.mode}`);
  const live = ch.liveSessions();
  for (const s of live) clearCall(ch, s, 'power_off');
  return ch.finish(`power off: ${live.length} call(s) dropped (D2.4)`);
}

/** D3.1: security-alarm notifications are suppressed during a `security_alarm` lockout. */
function securityAlarm(ch: Changes, event: EventOf<'security-alarm'>): Decision {
  const suppressed = isFeatureLocked(ch.vehicle.lockout, 'security_alarm', ch.now);
  const alert: SecurityAlert = {
    id: ch.ctx.newId(),
    vin: event.vin,
    eventId: event.eventId,
    kind: event.data.kind,
    at: ch.at,
    status: suppressed ? 'suppressed' : 'delivered',
  };
  ch.alerts.push(alert);
  if (!suppressed) ch.partnerAlarms.push(alert);
  return ch.finish(`security alarm ${alert.status}${suppressed ? ' during the lockout (D3.1)' : ''}`);
}
