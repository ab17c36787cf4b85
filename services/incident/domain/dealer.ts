import { Changes } from './changes.js';
import type { DecideContext, Decision, VehicleAggregate } from './state.js';

/**
 * D4.4 (extension `PUT /v1/vehicles/{vin}/dealer`): the owner's registered dealer, kept on the car's
 * state; transport goes there rather than to the nearest dealer. The id is checked against the dealer
 * list by the service before this runs. Setting the same dealer again changes nothing.
 */
export function decideDealer(aggregate: VehicleAggregate, dealerId: string, ctx: DecideContext): Decision {
  const ch = new Changes(aggregate, ctx);
  if (ch.vehicle.dealerId === dealerId) return ch.finish(`dealer of ${ch.vehicle.vin} already ${dealerId}`);
  ch.vehicle = { ...ch.vehicle, dealerId };
  return ch.finish(`dealer of ${ch.vehicle.vin} registered: ${dealerId} (D4.4)`);
}
