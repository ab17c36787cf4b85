import type { EventOf, Severity, Trigger } from '../../../protocol/index.js';
import { SEVERITY_MODEL, assessSeverity } from '../severity/index.js';
import type { DecideContext } from './state.js';

export type CrashEvent = EventOf<'airbag'> | EventOf<'impact'>;

/** Triggers that are crashes: they carry crash data and get a severity (D4.3). */
export function isCrash(trigger: Trigger): trigger is 'airbag' | 'impact' {
  return trigger === 'airbag' || trigger === 'impact';
}

/**
 * D4.3: the severity of a crash event, from the data the car sent (D-Call Net's inputs: delta-V,
 * direction, belts, multiple impacts; plus rollover and ages when given). `afterCrash`: the car already
 * crashed during this call, so this crash is a further impact whatever the car says.
 */
export function crashSeverity(event: CrashEvent, ctx: Pick<DecideContext, 'doctorHeliThreshold'>, afterCrash = false): Severity {
  const d = event.data;
  return assessSeverity(
    SEVERITY_MODEL,
    {
      deltaVKmh: d.deltaVKmh,
      direction: d.direction,
      multipleImpacts: afterCrash || d.multipleImpacts,
      rollover: 'rollover' in d ? d.rollover : undefined,
      seatbelts: d.seatbelts,
      occupantAges: d.occupantAges,
      occupants: event.occupants,
    },
    ctx.doctorHeliThreshold,
  );
}
