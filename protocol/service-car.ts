import { Type, type Static } from '@sinclair/typebox';
import { ContractVersion, Id, IsoTime, Position } from './common.js';

/**
 * Extension (contract "The operator's work", Service-car arrival, D4.6): a road-service car reports
 * where it is, and the owner's app is told that one is on its way.
 */

/**
 * A service car's id, a topic level of `v1/service-cars/{id}/position`: 1-64 of `A-Z a-z 0-9 _ -`,
 * so it can hold no wildcard (`+`, `#`), no level separator (`/`) and nothing a broker treats specially.
 */
export const SERVICE_CAR_ID_PATTERN = '^[A-Za-z0-9_-]{1,64}$';
export const ServiceCarId = Type.String({ minLength: 1, maxLength: 64, pattern: SERVICE_CAR_ID_PATTERN });
export type ServiceCarId = Static<typeof ServiceCarId>;

const SERVICE_CAR_ID_RE = new RegExp(SERVICE_CAR_ID_PATTERN);

export function isServiceCarId(value: string): boolean {
  return SERVICE_CAR_ID_RE.test(value);
}

/** `v1/service-cars/{id}/position`, QoS 1: where the service car is (`ts`: when the fix was taken). */
export const ServiceCarPosition = Type.Object({ v: ContractVersion, ts: IsoTime, position: Position });
export type ServiceCarPosition = Static<typeof ServiceCarPosition>;

/** What the owner's app may be told on `v1/vehicles/{vin}/app-messages`; one kind so far. */
export const APP_MESSAGE_KINDS = ['service_car_dispatched'] as const;
export type AppMessageKind = (typeof APP_MESSAGE_KINDS)[number];

/**
 * `v1/vehicles/{vin}/app-messages`, QoS 1, backend-only: a road-service dispatch whose service car
 * reports its position (D4.6); `trackUrl` (`{public base}/track/{token}`) shows the car and its ETA.
 */
export const ServiceCarDispatchedMessage = Type.Object({
  v: ContractVersion,
  kind: Type.Literal('service_car_dispatched'),
  caseId: Id,
  dispatchId: Id,
  trackUrl: Type.String({ minLength: 1, maxLength: 2048, pattern: '^https?://[^\\s]+$' }),
});
export type ServiceCarDispatchedMessage = Static<typeof ServiceCarDispatchedMessage>;

/** Every app message; a union as kinds are added. */
export const AppMessage = ServiceCarDispatchedMessage;
export type AppMessage = Static<typeof AppMessage>;

/** A point on the map, in degrees (the depot, the scene). */
const LatLonPoint = Type.Object({ lat: Type.Number({ minimum: -90, maximum: 90 }), lon: Type.Number({ minimum: -180, maximum: 180 }) }, { additionalProperties: false });

/**
 * Not on the wire: a simulator scenario step (protocol/scenario.ts), `serviceCar: {id, from, to,
 * speedKmh, everyS?, route?}`: a service car drives from `from` to `to` and reports its position
 * (simulator/service-car/step.ts `startServiceCarStep`). Kept here, beside the messages it sends,
 * until the scenario format takes it; unknown fields are errors, as in every scenario step.
 */
export const ServiceCarStep = Type.Object(
  {
    id: ServiceCarId,
    from: LatLonPoint,
    to: LatLonPoint,
    speedKmh: Type.Number({ exclusiveMinimum: 0, maximum: 300 }),
    /** Seconds between two position reports (default 5). */
    everyS: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 3600 })),
    /** A road of simulator/routes to drive along; default the straight line. */
    route: Type.Optional(Type.String({ minLength: 1 })),
  },
  { additionalProperties: false },
);
export type ServiceCarStep = Static<typeof ServiceCarStep>;
