import type { LockoutFeature, RemoteOperation } from '../../../protocol/index.js';
import { Changes } from './changes.js';
import { isFeatureLocked, lockoutView } from './lockout.js';
import { refuse, type Refusal } from './refusal.js';
import type { DecideContext, Decision, VehicleAggregate } from './state.js';

/** Refused while `feature` is locked out (D3), with how long until it is free again. */
function lockedOut(aggregate: VehicleAggregate, feature: LockoutFeature, ctx: DecideContext): Refusal | null {
  const { vin, lockout } = aggregate.vehicle;
  if (!isFeatureLocked(lockout, feature, ctx.now)) return null;
  const { until } = lockoutView(vin, lockout, ctx.now);
  // Held by a live call, the end is not known yet: at least a whole lockout period (D3.5).
  const seconds = until ? Math.ceil((Date.parse(until) - ctx.now) / 1000) : Math.ceil(ctx.lockoutMs / 1000);
  return refuse('locked_out', `${feature} is locked out after an emergency call (D3)`, { feature, until, retryAfterSeconds: Math.max(1, seconds) });
}

/** D3.1: remote operations wait out a `remote_operations` lockout. */
export function decideRemoteOperation(aggregate: VehicleAggregate, operation: RemoteOperation, ctx: DecideContext): Decision | Refusal {
  const refused = lockedOut(aggregate, 'remote_operations', ctx);
  if (refused) return refused;
  const ch = new Changes(aggregate, ctx);
  ch.command({ cmd: 'remote', operation });
  return ch.finish(`remote operation ${operation} sent`);
}

/** D3.2: Wi-Fi waits out a `wifi` lockout; the owner's choice is kept for when a later lockout ends. */
export function decideWifi(aggregate: VehicleAggregate, enabled: boolean, ctx: DecideContext): Decision | Refusal {
  const refused = lockedOut(aggregate, 'wifi', ctx);
  if (refused) return refused;
  const ch = new Changes(aggregate, ctx);
  ch.vehicle = { ...ch.vehicle, wifiEnabled: enabled };
  ch.command({ cmd: 'wifi', enabled });
  return ch.finish(`wifi ${enabled ? 'on' : 'off'} sent`);
}

/**
 * The car's retained status / Last Will. Recorded only: the voice call runs on the cellular voice
 * channel, so an MQTT disconnect does not clear it.
 */
export function decideStatus(aggregate: VehicleAggregate, online: boolean, ctx: DecideContext): Decision {
  const ch = new Changes(aggregate, ctx);
  ch.vehicle = { ...ch.vehicle, online };
  return ch.finish(`vehicle ${online ? 'online' : 'offline'}`);
}
