import { Type, type Static } from '@sinclair/typebox';
import { ContractVersion, IsoTime } from './common.js';
import { Vin } from './vin.js';

/** Features the 60-minute lockout can hold (D3.1, D3.2). */
export const LOCKOUT_FEATURES = ['remote_operations', 'trouble_button', 'security_alarm', 'wifi', 'app_center'] as const;
export const LockoutFeature = Type.Union(LOCKOUT_FEATURES.map((f) => Type.Literal(f)));
export type LockoutFeature = Static<typeof LockoutFeature>;

/**
 * What the car and the API see. `until` is null while a call still holds the lockout open (D3.5: it runs
 * until 60 minutes after clear-down, a time not known yet) and when nothing is locked.
 */
export const LockoutView = Type.Object({
  vin: Vin,
  active: Type.Boolean(),
  features: Type.Array(LockoutFeature),
  until: Type.Union([IsoTime, Type.Null()]),
});
export type LockoutView = Static<typeof LockoutView>;

/** Retained on `v1/vehicles/{vin}/lockout`. */
export const LockoutMessage = Type.Composite([Type.Object({ v: ContractVersion }), LockoutView]);
export type LockoutMessage = Static<typeof LockoutMessage>;
