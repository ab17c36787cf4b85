import { Type, type Static } from '@sinclair/typebox';
import { ContractVersion, IsoTime, MaybePosition } from './common.js';
import { PowerMode } from './events.js';
import { Vin } from './vin.js';

/** `v1/vehicles/{vin}/telemetry`, QoS 0. */
export const Telemetry = Type.Object({
  v: ContractVersion,
  vin: Vin,
  ts: IsoTime,
  position: MaybePosition,
  speedKmh: Type.Optional(Type.Number({ minimum: 0, maximum: 500 })),
  powerMode: Type.Optional(PowerMode),
  warningLamps: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 64 })),
});
export type Telemetry = Static<typeof Telemetry>;

/** `v1/vehicles/{vin}/status`, retained and the car's Last Will. */
export const VehicleStatus = Type.Object({ online: Type.Boolean(), ts: IsoTime });
export type VehicleStatus = Static<typeof VehicleStatus>;
