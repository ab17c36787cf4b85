import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeTime } from 'ulid';
import { Ack, EVENT_TYPES, EventSchemas, Telemetry, VehicleStatus, validator } from '../../protocol/index.js';
import { buildAck, buildEvent, buildStatus, buildTelemetry, defaultData, eventIdFactory, mulberry32 } from '../../simulator/car/index.js';
import { VirtualClock } from '../../lib/clock/index.js';

const VIN = 'JHMZE2H59ES000001';
const arbPosition = fc.oneof(
  fc.constant(null),
  fc.record({
    lat: fc.double({ min: -90, max: 90, noNaN: true }),
    lon: fc.double({ min: -180, max: 180, noNaN: true }),
    headingDeg: fc.integer({ min: 0, max: 359 }),
    trusted: fc.boolean(),
  }),
);

describe('car payloads match the protocol schemas', () => {
  it('every event type with default data validates against its envelope schema', () => {
    fc.assert(
      fc.property(fc.constantFrom(...EVENT_TYPES), fc.integer(), arbPosition, fc.boolean(), (type, seed, position, test) => {
        const rng = mulberry32(seed);
        const ev = buildEvent({ vin: VIN, type, eventId: eventIdFactory(rng, () => 1_700_000_000_000)(), nowMs: 1_700_000_000_000, position, data: defaultData(type, rng, 'on'), occupants: rng.int(0, 4), test });
        const v = validator(EventSchemas[type]);
        expect(v.issues(ev)).toEqual([]);
      }),
    );
  });

  it('D2.7: an event without a fix carries position null and is still valid', () => {
    const ev = buildEvent({ vin: VIN, type: 'sos', eventId: '01JDX3AAAAAAAAAAAAAAAAAAAA', nowMs: 0, position: null, data: {} });
    expect(ev.position).toBeNull();
    expect(validator(EventSchemas.sos).check(ev)).toBe(true);
    expect('occupants' in ev).toBe(false);
  });

  it('telemetry, status and acks validate', () => {
    fc.assert(
      fc.property(arbPosition, fc.double({ min: 0, max: 600, noNaN: true }), (position, speedKmh) => {
        expect(validator(Telemetry).issues(buildTelemetry({ vin: VIN, nowMs: 5, position, speedKmh, powerMode: 'acc', warningLamps: ['battery'] }))).toEqual([]);
      }),
    );
    expect(validator(VehicleStatus).check(buildStatus(true, 0))).toBe(true);
    expect(validator(Ack).check(buildAck('c1'))).toBe(true);
    expect(validator(Ack).check(buildAck('c1', 'x'.repeat(1000)))).toBe(true);
  });

  it('event ids are ULIDs from the clock time and seed: same seed, same ids', () => {
    const clock = new VirtualClock();
    const a = eventIdFactory(mulberry32(42), () => clock.now());
    const b = eventIdFactory(mulberry32(42), () => clock.now());
    const idsA = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(idsA);
    expect(new Set(idsA).size).toBe(3);
    expect(decodeTime(idsA[0]!)).toBe(clock.now());
    expect([...idsA].sort()).toEqual(idsA); // monotonic within one millisecond
  });
});
