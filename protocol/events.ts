import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { ContractVersion, Id, IsoTime, MaybePosition } from './common.js';
import { Vin } from './vin.js';

export const EVENT_TYPES = ['airbag', 'impact', 'sos', 'trouble', 'power', 'security-alarm'] as const;
export type EventType = (typeof EVENT_TYPES)[number];
export const EventTypeSchema = Type.Union(EVENT_TYPES.map((t) => Type.Literal(t)));

export const ImpactDirection = Type.Union(
  ['front', 'rear', 'left', 'right', 'rollover'].map((d) => Type.Literal(d)),
);
export type ImpactDirection = Static<typeof ImpactDirection>;
export const PowerMode = Type.Union([Type.Literal('off'), Type.Literal('acc'), Type.Literal('on')]);
export type PowerMode = Static<typeof PowerMode>;

const DeltaV = Type.Number({ minimum: 0, maximum: 500, description: 'delta-V in km/h' });

/** Seat-belt use per front seat; a seat not listed is unknown (the severity model then assumes unbelted, D4.3). */
export const Seatbelts = Type.Object(
  {
    driver: Type.Optional(Type.Boolean()),
    passenger: Type.Optional(Type.Boolean()),
  },
  { description: 'true = belted; the driver sits on the right (right-hand drive)' },
);
export type Seatbelts = Static<typeof Seatbelts>;

/**
 * v1 extension "Richer crash data" (contract, "The operator's work"; DOMAIN D4.3: what D-Call Net
 * sends): the crash direction (cars in Japan are right-hand drive, so `right` is the driver's near
 * side), whether there was more than one impact, belt use per front seat, and occupant ages in seat
 * order (driver, front passenger, then the rest). All optional: a car that does not know says nothing.
 */
const CrashData = {
  direction: Type.Optional(ImpactDirection),
  multipleImpacts: Type.Optional(Type.Boolean()),
  seatbelts: Type.Optional(Seatbelts),
  occupantAges: Type.Optional(Type.Array(Type.Integer({ minimum: 0, maximum: 130 }), { maxItems: 99, description: 'ages in seat order: driver, front passenger, then the rest' })),
};

/** `data` per event type (contract, "Event envelope"). */
export const EventData = {
  airbag: Type.Object({
    deployed: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 32 }),
    deltaVKmh: Type.Optional(DeltaV),
    rollover: Type.Optional(Type.Boolean()),
    ...CrashData,
  }),
  impact: Type.Object({
    deltaVKmh: DeltaV,
    peakG: Type.Optional(Type.Number({ minimum: 0, maximum: 1000 })),
    ...CrashData,
  }),
  sos: Type.Object({}),
  trouble: Type.Object({
    warningLamps: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 64 })),
  }),
  power: Type.Object({ mode: PowerMode }),
  'security-alarm': Type.Object({ kind: Type.String({ minLength: 1, maxLength: 64 }) }),
} satisfies Record<EventType, TSchema>;

function envelope<T extends EventType>(type: T) {
  return Type.Object(
    {
      v: ContractVersion,
      eventId: Id,
      vin: Vin,
      type: Type.Literal(type),
      ts: IsoTime,
      position: MaybePosition,
      occupants: Type.Optional(Type.Integer({ minimum: 0, maximum: 99 })),
      test: Type.Optional(Type.Boolean()),
      data: EventData[type],
    },
    { $id: `Event.${type}`, description: `Published by the car on v1/vehicles/{vin}/events/${type}` },
  );
}

export const AirbagEvent = envelope('airbag');
export const ImpactEvent = envelope('impact');
export const SosEvent = envelope('sos');
export const TroubleEvent = envelope('trouble');
export const PowerEvent = envelope('power');
export const SecurityAlarmEvent = envelope('security-alarm');

export const EventSchemas = {
  airbag: AirbagEvent,
  impact: ImpactEvent,
  sos: SosEvent,
  trouble: TroubleEvent,
  power: PowerEvent,
  'security-alarm': SecurityAlarmEvent,
} as const;

export type AirbagEvent = Static<typeof AirbagEvent>;
export type ImpactEvent = Static<typeof ImpactEvent>;
export type SosEvent = Static<typeof SosEvent>;
export type TroubleEvent = Static<typeof TroubleEvent>;
export type PowerEvent = Static<typeof PowerEvent>;
export type SecurityAlarmEvent = Static<typeof SecurityAlarmEvent>;
export type VehicleEvent = AirbagEvent | ImpactEvent | SosEvent | TroubleEvent | PowerEvent | SecurityAlarmEvent;
export type EventOf<T extends EventType> = Extract<VehicleEvent, { type: T }>;

export function isEventType(value: string): value is EventType {
  return (EVENT_TYPES as readonly string[]).includes(value);
}
