import { Type, type Static } from '@sinclair/typebox';
import { IsoTime, Position } from './common.js';

/**
 * Contract v1 extension "Service-car arrival" (D4.6): what the owner's tracking link shows.
 * `GET /v1/track/{token}`: the token is the only credential (a long random string, issued with the
 * dispatch; services/incident/track.ts), so its pattern is strict and it never names a case.
 */
export const TRACK_TOKEN_PATTERN = '^[A-Za-z0-9_-]{32,128}$';
export const TrackParams = Type.Object({ token: Type.String({ pattern: TRACK_TOKEN_PATTERN }) });
export type TrackParams = Static<typeof TrackParams>;

/** Where the service car is heading: the scene (the car's position at the dispatch), or null when unknown (D2.7). */
export const TrackDestination = Type.Union([Type.Object({ lat: Type.Number(), lon: Type.Number() }), Type.Null()]);

/**
 * `{serviceCar: {position, at} | null, destination, etaMinutes}`: `serviceCar` null until the service car
 * has reported; `etaMinutes` from the great-circle distance at SERVICE_CAR_SPEED_KMH, null while either
 * end is unknown. Extension fields: `status` (the dispatch's), `dispatchedAt`.
 */
export const TrackView = Type.Object({
  serviceCar: Type.Union([Type.Object({ position: Position, at: IsoTime }), Type.Null()]),
  destination: TrackDestination,
  etaMinutes: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
  status: Type.String(),
  dispatchedAt: IsoTime,
});
export type TrackView = Static<typeof TrackView>;

/**
 * `PUT /v1/service-cars/{id}/credentials` (admin, AUTH=on): a service car's MQTT login, username
 * `svc-{id}`; it may publish only its own `v1/service-cars/{id}/position`. Shown once, kept hashed.
 */
export const ServiceCarCredentialsIssued = Type.Object({ id: Type.String(), username: Type.String(), password: Type.String() });
export type ServiceCarCredentialsIssued = Static<typeof ServiceCarCredentialsIssued>;
export const ServiceCarParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]{1,64}$' }) });
