import { Changes } from './changes.js';
import { expireLockout } from './lockout.js';
import type { DecideContext, Decision, VehicleAggregate } from './state.js';

/**
 * D3.5: LOCKOUT_MINUTES after the last clear-down the lockout ends; the car gets the cleared lockout
 * and its Wi-Fi back. A no-op when a new trigger extended it or another instance expired it first.
 */
export function decideExpiry(aggregate: VehicleAggregate, ctx: DecideContext): Decision {
  const ch = new Changes(aggregate, ctx);
  ch.setLockout(expireLockout(ch.vehicle.lockout, ch.now));
  return ch.finish('lockout expired (D3.5)');
}
