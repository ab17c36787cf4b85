/** Names, times and event envelopes shared by the domain tests (DOMAIN.md D1-D3). */
import { isoTime, type EventOf, type EventType, type Position } from '../../protocol/index.js';

export const VIN = 'JHMZE2H59ES000001';
export const VIN_B = 'JHMZE2H59ES000002';
export const VIN_C = 'WVWZZZ1JZXW000003';
export const T0 = Date.UTC(2026, 10, 21, 10, 0, 0);
export const SECOND = 1_000;
export const MINUTE = 60_000;
/** LOCKOUT_MINUTES unset: 60 minutes (D3.5). */
export const LOCKOUT_MS = 60 * MINUTE;
export const TOKYO: Position = { lat: 35.6812, lon: 139.7671, headingDeg: 90, trusted: true };

/** Ids matching the protocol `Id` pattern, deterministic per factory. */
export function idFactory(prefix = 'id'): () => string {
  let n = 0;
  return () => `${prefix}-${(++n).toString().padStart(6, '0')}`;
}

export type DataOf<T extends EventType> = EventOf<T>['data'];

const DEFAULT_DATA: { [T in EventType]: DataOf<T> } = {
  airbag: { deployed: ['driver_front'] },
  impact: { deltaVKmh: 20 },
  sos: {},
  trouble: {},
  power: { mode: 'off' },
  'security-alarm': { kind: 'intrusion' },
};

export interface EventOptions<T extends EventType> {
  vin?: string;
  eventId?: string;
  data?: DataOf<T>;
  /** Epoch ms of `ts`; T0 unless given. */
  at?: number;
  position?: Position | null;
  test?: boolean;
  occupants?: number;
}

let eventSeq = 0;

/** A valid event envelope of `type`; `eventId` is fresh unless given. */
export function event<T extends EventType>(type: T, opts: EventOptions<T> = {}): EventOf<T> {
  const e = {
    v: 1,
    eventId: opts.eventId ?? `ev-${(++eventSeq).toString().padStart(6, '0')}`,
    vin: opts.vin ?? VIN,
    type,
    ts: isoTime(opts.at ?? T0),
    position: opts.position === undefined ? TOKYO : opts.position,
    ...(opts.occupants !== undefined ? { occupants: opts.occupants } : {}),
    ...(opts.test !== undefined ? { test: opts.test } : {}),
    data: opts.data ?? DEFAULT_DATA[type],
  };
  return e as unknown as EventOf<T>;
}
