import {
  isoTime,
  type Ack,
  type EventOf,
  type EventType,
  type ImpactDirection,
  type MaybePosition,
  type Seatbelts,
  type Telemetry,
  type VehicleStatus,
} from '../../protocol/index.js';
import type { Rng } from './prng.js';

/** What a caller may set on one event; everything else comes from the car. */
export interface FireOptions<T extends EventType = EventType> {
  data?: EventOf<T>['data'];
  /** `null` sends "position unknown" (D2.7); omitted uses the car's current fix. */
  position?: MaybePosition;
  occupants?: number;
  /** eCall test call: opens a test case, no lockout (contract). */
  test?: boolean;
  /** Re-send a known event (at-least-once delivery tests); a fresh ULID otherwise. */
  eventId?: string;
}

export interface EventInput<T extends EventType> {
  vin: string;
  type: T;
  eventId: string;
  nowMs: number;
  position: MaybePosition;
  data: EventOf<T>['data'];
  occupants?: number | undefined;
  test?: boolean | undefined;
}

/** The event envelope of the contract; optional fields are left out rather than sent as undefined. */
export function buildEvent<T extends EventType>(input: EventInput<T>): EventOf<T> {
  const ev: Record<string, unknown> = {
    v: 1,
    eventId: input.eventId,
    vin: input.vin,
    type: input.type,
    ts: isoTime(input.nowMs),
    position: input.position,
    data: input.data,
  };
  if (input.occupants !== undefined) ev.occupants = input.occupants;
  if (input.test !== undefined) ev.test = input.test;
  return ev as EventOf<T>;
}

export interface TelemetryInput {
  vin: string;
  nowMs: number;
  position: MaybePosition;
  speedKmh?: number | undefined;
  powerMode?: Telemetry['powerMode'];
  warningLamps?: string[] | undefined;
}

export function buildTelemetry(input: TelemetryInput): Telemetry {
  const t: Telemetry = { v: 1, vin: input.vin, ts: isoTime(input.nowMs), position: input.position };
  if (input.speedKmh !== undefined) t.speedKmh = Math.max(0, Math.min(500, input.speedKmh));
  if (input.powerMode !== undefined) t.powerMode = input.powerMode;
  if (input.warningLamps !== undefined && input.warningLamps.length > 0) t.warningLamps = input.warningLamps;
  return t;
}

export function buildStatus(online: boolean, nowMs: number): VehicleStatus {
  return { online, ts: isoTime(nowMs) };
}

export function buildAck(commandId: string, error?: string): Ack {
  return error === undefined ? { v: 1, commandId, ok: true } : { v: 1, commandId, ok: false, error: error.slice(0, 256) };
}

/** A rough peak deceleration for a crash pulse of ~100 ms: deltaV (km/h) -> m/s, / 0.1 s, / g. */
export function estimatePeakG(deltaVKmh: number): number {
  return Math.round((deltaVKmh / 3.6 / 0.1 / 9.81) * 10) / 10;
}

/**
 * What a crash event tells beyond delta-V (contract "Richer crash data", DOMAIN D4.3, what D-Call Net
 * sends): the direction (right-hand drive: `right` is the driver's near side), whether there were
 * several impacts, and belt use per front seat. Occupant ages are left out: a car rarely knows them.
 */
export interface CrashDetails {
  direction?: ImpactDirection;
  multipleImpacts?: boolean;
  seatbelts?: Seatbelts;
  occupantAges?: number[];
}

/**
 * Plausible crash details, seeded: belts worn by about 98% of drivers and 96% of front passengers
 * (Japan's front-seat wearing rate is about 99%), one crash in five with more than one impact.
 */
export function crashDetails(rng: Rng, direction: ImpactDirection): Required<Pick<CrashDetails, 'direction' | 'multipleImpacts' | 'seatbelts'>> {
  return { direction, multipleImpacts: rng.next() < 0.2, seatbelts: { driver: rng.next() < 0.98, passenger: rng.next() < 0.96 } };
}

/** The airbags a crash from `direction` fires (right-hand drive: the driver's side is the right). */
export function airbagsFor(direction: ImpactDirection): string[] {
  switch (direction) {
    case 'left':
      return ['side_left', 'curtain_left'];
    case 'right':
      return ['side_right', 'curtain_right'];
    case 'rollover':
      return ['curtain_left', 'curtain_right'];
    default:
      return ['driver_front', 'passenger_front'];
  }
}
