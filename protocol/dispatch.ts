import { Type, type Static } from '@sinclair/typebox';
import { Id, IsoTime } from './common.js';
import { CoverageAnswer } from './coverage.js';

/**
 * Contract v1 extension "The operator's work", Dispatches (D4.1, D4.2, D4.4): who the operator sends.
 * `fire_ambulance` is 119, `police` 110, `security_guard` the accident-scene rush (D5.6).
 */
export const AGENCIES = ['fire_ambulance', 'police', 'doctor_heli', 'road_service', 'dealer_transport', 'security_guard'] as const;
export const Agency = Type.Union(AGENCIES.map((a) => Type.Literal(a)));
export type Agency = (typeof AGENCIES)[number];

/** Agencies whose dispatch takes the car somewhere: they carry a destination (D4.4). */
export const DESTINATION_AGENCIES: readonly Agency[] = ['road_service', 'dealer_transport'];

/**
 * Forward-only along this order (steps may be skipped), or to `cancelled` from any unfinished status;
 * `completed` and `cancelled` are final (409 `dispatch_finished`).
 */
export const DISPATCH_STATUSES = ['requested', 'en_route', 'on_scene', 'completed', 'cancelled'] as const;
export const DispatchStatus = Type.Union(DISPATCH_STATUSES.map((s) => Type.Literal(s)));
export type DispatchStatus = (typeof DISPATCH_STATUSES)[number];

/** What `PATCH` may set: every status but the first. */
export const DispatchUpdateStatus = Type.Union(DISPATCH_STATUSES.filter((s) => s !== 'requested').map((s) => Type.Literal(s)));

/** A point on the map (a dealer, an address) without the car's fix metadata. */
export const GeoPoint = Type.Object({ lat: Type.Number({ minimum: -90, maximum: 90 }), lon: Type.Number({ minimum: -180, maximum: 180 }) });
export type GeoPoint = Static<typeof GeoPoint>;

/** D4.4: where a road-service or transport dispatch takes the car. */
export const DESTINATION_KINDS = ['registered_dealer', 'nearest_dealer', 'address'] as const;
export const DispatchDestination = Type.Object({
  kind: Type.Union(DESTINATION_KINDS.map((k) => Type.Literal(k))),
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  position: Type.Optional(GeoPoint),
  /** Extension: the dealer's id in the dealer list (registered_dealer, nearest_dealer). */
  dealerId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  /** Extension: great-circle distance from the car's last known position, km (nearest_dealer). */
  distanceKm: Type.Optional(Type.Number({ minimum: 0 })),
});
export type DispatchDestination = Static<typeof DispatchDestination>;

/** D4.6: the service car sent, and whether it reports its position. */
export const ServiceCar = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }), reportsPosition: Type.Boolean() });
export type ServiceCar = Static<typeof ServiceCar>;

/** Where the dispatch was sent: the car's position (a known fix with its time), or null when none is known (D2.7). */
export const DispatchPosition = Type.Union([
  Type.Object({ lat: Type.Number({ minimum: -90, maximum: 90 }), lon: Type.Number({ minimum: -180, maximum: 180 }), at: IsoTime, trusted: Type.Boolean() }),
  Type.Null(),
]);
export type DispatchPosition = Static<typeof DispatchPosition>;

/** One status change of a dispatch, as the audit and the case record show it. */
export const DispatchStep = Type.Object({ status: DispatchStatus, at: IsoTime, by: Type.String(), etaMinutes: Type.Optional(Type.Integer({ minimum: 0, maximum: 24 * 60 })) });
export type DispatchStep = Static<typeof DispatchStep>;

export const Dispatch = Type.Object(
  {
    id: Id,
    caseId: Id,
    agency: Agency,
    status: DispatchStatus,
    requestedAt: IsoTime,
    requestedBy: Type.String(),
    position: DispatchPosition,
    note: Type.Optional(Type.String({ maxLength: 2000 })),
    reference: Type.Optional(Type.String({ maxLength: 200 })),
    destination: Type.Optional(DispatchDestination),
    serviceCar: Type.Optional(ServiceCar),
    etaMinutes: Type.Optional(Type.Integer({ minimum: 0, maximum: 24 * 60 })),
    /** Extension: the operator pressed "no response" (D4.2). */
    noResponse: Type.Optional(Type.Boolean()),
    /** Extension (issue 13 part 4): the coverage assessment a road_service dispatch was arranged under. */
    coverage: Type.Optional(CoverageAnswer),
    updatedAt: Type.Optional(IsoTime),
    /**
     * Extension (D4.6): the owner's tracking token (`{public base}/track/{token}`), on a road_service
     * dispatch whose service car reports its position. Operators see it too, to read the link out.
     */
    trackToken: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{32,128}$' })),
    /** Extension: every status it took, the first `requested`. */
    history: Type.Array(DispatchStep),
  },
);
export type Dispatch = Static<typeof Dispatch>;

/** `POST /v1/cases/{id}/dispatches`. */
export const CreateDispatchBody = Type.Object(
  {
    agency: Agency,
    note: Type.Optional(Type.String({ maxLength: 2000 })),
    reference: Type.Optional(Type.String({ maxLength: 200 })),
    destination: Type.Optional(DispatchDestination),
    serviceCar: Type.Optional(ServiceCar),
    operatorId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    /** Issue 13 part 4: the response of `POST /v1/coverage/assess` (road_service only), kept on the dispatch. */
    coverage: Type.Optional(CoverageAnswer),
  },
  { additionalProperties: false },
);
export type CreateDispatchBody = Static<typeof CreateDispatchBody>;

/** `PATCH /v1/cases/{id}/dispatches/{dispatchId}`. */
export const UpdateDispatchBody = Type.Object(
  {
    status: DispatchUpdateStatus,
    etaMinutes: Type.Optional(Type.Integer({ minimum: 0, maximum: 24 * 60 })),
    operatorId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  },
  { additionalProperties: false },
);
export type UpdateDispatchBody = Static<typeof UpdateDispatchBody>;

export const DispatchParams = Type.Object({ id: Id, dispatchId: Id });

/** `POST /v1/cases/{id}/no-response` -> the dispatches it created (none on a repeat) and the case. */
export const NoResponseResult = Type.Object({ created: Type.Array(Dispatch), dispatches: Type.Array(Dispatch) });
export type NoResponseResult = Static<typeof NoResponseResult>;

/** `PUT /v1/vehicles/{vin}/dealer` (extension, D4.4): the owner's registered dealer, by its id in the dealer list. */
export const DealerBody = Type.Object({ dealerId: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false });
export const Dealer = Type.Object({ id: Type.String(), name: Type.String(), prefecture: Type.String(), lat: Type.Number(), lon: Type.Number() });
export type Dealer = Static<typeof Dealer>;
export const VehicleDealer = Type.Object({ vin: Type.String(), dealer: Dealer });
