import { Type } from '@sinclair/typebox';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  EARLIEST_TIME,
  EventSchemas,
  IsoTime,
  LATEST_TIME,
  MAX_JSON_DEPTH,
  DEAD_LETTER_REASONS,
  Telemetry,
  findJsonLimitProblem,
  findUnrealTime,
  isRealIsoTime,
  isWellFormedString,
} from '../../protocol/index.js';

/** `depth` nested objects around a scalar: `{"a":{"a":...1}}`; depth 0 is the scalar alone. */
function nestedObjects(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}
function nestedArrays(depth: number): unknown {
  let v: unknown = 'x';
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}
const LONE_HIGH = 'driver_front\ud800';
const LONE_LOW = '\udc00driver_front';

describe('the store can read back every value it accepts (issue "No acknowledged emergency event lost")', () => {
  describe('nesting: deeper than MAX_JSON_DEPTH is refused, with the pointer of where', () => {
    it('the limit is well above any legitimate payload and well below cjson\'s 1000', () => {
      expect(MAX_JSON_DEPTH).toBeGreaterThanOrEqual(16);
      expect(MAX_JSON_DEPTH).toBeLessThan(1000 / 10);
    });

    it.each([
      ['a scalar', 1, undefined],
      ['an empty object', {}, undefined],
      ['objects exactly at the limit', nestedObjects(MAX_JSON_DEPTH), undefined],
      ['arrays exactly at the limit', nestedArrays(MAX_JSON_DEPTH), undefined],
      ['objects one level over the limit', nestedObjects(MAX_JSON_DEPTH + 1), { kind: 'nesting_too_deep', pointer: '/a'.repeat(MAX_JSON_DEPTH) }],
      ['arrays one level over the limit', nestedArrays(MAX_JSON_DEPTH + 1), { kind: 'nesting_too_deep', pointer: '/0'.repeat(MAX_JSON_DEPTH) }],
      ['the probe: an SOS whose data nests 1,100 levels', { v: 1, data: nestedObjects(1_100) }, { kind: 'nesting_too_deep', pointer: '/data' + '/a'.repeat(MAX_JSON_DEPTH - 1) }],
    ])('%s', (_name, value, expected) => {
      expect(findJsonLimitProblem(value)).toEqual(expected);
    });

    it('a 100,000-deep value is judged without overflowing the stack (the walk stops at the limit)', () => {
      const text = '['.repeat(100_000) + ']'.repeat(100_000);
      expect(findJsonLimitProblem(JSON.parse(text))?.kind).toBe('nesting_too_deep');
    });

    it('a custom limit is honoured at its boundary', () => {
      expect(findJsonLimitProblem(nestedObjects(3), 3)).toBeUndefined();
      expect(findJsonLimitProblem(nestedObjects(4), 3)).toEqual({ kind: 'nesting_too_deep', pointer: '/a/a/a' });
    });
  });

  describe('Unicode: every string and key is well-formed', () => {
    it.each([
      ['ASCII', 'driver_front', true],
      ['Japanese text', '運転席エアバッグ 展開（東京都千代田区）', true],
      ['a valid surrogate pair (emoji)', 'crash 🚗💥', true],
      ['the empty string', '', true],
      ['a lone high surrogate at the end (the probe)', LONE_HIGH, false],
      ['a lone low surrogate at the start', LONE_LOW, false],
      ['a pair in the wrong order (low, high)', '\udc00\ud800', false],
      ['a high surrogate followed by a letter', '\ud83dX', false],
    ])('%s: well-formed is %s', (_name, s, ok) => {
      expect(isWellFormedString(s)).toBe(ok);
      expect(findJsonLimitProblem({ note: s })).toEqual(ok ? undefined : { kind: 'malformed_unicode', pointer: '/note' });
    });

    it('the probe: a lone surrogate parsed from a JSON escape in data.deployed is found at its pointer', () => {
      const json = JSON.parse('{"v":1,"data":{"deployed":["side_left","driver_front\\ud800"]}}');
      expect(findJsonLimitProblem(json)).toEqual({ kind: 'malformed_unicode', pointer: '/data/deployed/1' });
    });

    it('a lone surrogate in a key is found too; the pointer stays well-formed and RFC 6901 escaped', () => {
      const json = JSON.parse('{"data":{"a/b~\\ud800":1}}');
      const problem = findJsonLimitProblem(json)!;
      expect(problem).toEqual({ kind: 'malformed_unicode', pointer: '/data/a~1b~0\\ud800' });
      expect(isWellFormedString(problem.pointer)).toBe(true);
    });

    it('the first problem in document order is reported', () => {
      expect(findJsonLimitProblem({ a: 'ok', b: LONE_LOW, c: nestedObjects(MAX_JSON_DEPTH + 5) })).toEqual({ kind: 'malformed_unicode', pointer: '/b' });
      expect(findJsonLimitProblem({ c: nestedObjects(MAX_JSON_DEPTH + 5), b: LONE_LOW })?.kind).toBe('nesting_too_deep');
    });

    it('a lone surrogate as the whole value is found at the root', () => {
      expect(findJsonLimitProblem(LONE_HIGH)).toEqual({ kind: 'malformed_unicode', pointer: '/' });
    });
  });

  describe('times: contract "Names" times are real instants within [1970-01-01, 2100-01-01)', () => {
    it.each([
      ['an ordinary time', '2026-11-21T10:15:30.123Z', true],
      ['Feb 29 in a leap year (2028)', '2028-02-29T12:00:00.000Z', true],
      ['Feb 29 in 2000 (leap: divisible by 400)', '2000-02-29T00:00:00.000Z', true],
      ['Feb 29 in a common year (2027)', '2027-02-29T12:00:00.000Z', false],
      ['Feb 29 in 2100 would be common, and is outside the window anyway', '2100-02-29T00:00:00.000Z', false],
      ['Feb 30', '2028-02-30T00:00:00.000Z', false],
      ['April 31', '2026-04-31T00:00:00.000Z', false],
      ['month 00', '2026-00-10T00:00:00.000Z', false],
      ['month 13', '2026-13-10T00:00:00.000Z', false],
      ['day 00', '2026-01-00T00:00:00.000Z', false],
      ['24:00:00 (Date would roll it to the next day)', '2026-01-01T24:00:00.000Z', false],
      ['23:59:59.999', '2026-01-01T23:59:59.999Z', true],
      ['minute 60', '2026-01-01T10:60:00.000Z', false],
      ['second 60 (leap seconds are not in Date)', '2026-12-31T23:59:60.000Z', false],
      ['the probe: 9999-99-99T99:99:99.999Z', '9999-99-99T99:99:99.999Z', false],
      ['year 9999, otherwise real', '9999-12-31T23:59:59.999Z', false],
      ['year 0000', '0000-01-01T00:00:00.000Z', false],
      ['the earliest accepted instant', EARLIEST_TIME, true],
      ['one millisecond before the window', '1969-12-31T23:59:59.999Z', false],
      ['the last accepted instant', '2099-12-31T23:59:59.999Z', true],
      ['the window end (exclusive)', LATEST_TIME, false],
      ['a car clock reset to the epoch years ago still passes', '1970-01-01T00:00:05.000Z', true],
      ['a GPS week rollover (19.6 years back) still passes', '2006-04-07T10:15:30.123Z', true],
      ['no milliseconds (not the contract format)', '2026-11-21T10:15:30Z', false],
      ['an offset instead of Z', '2026-11-21T10:15:30.123+09:00', false],
      ['non-ASCII digits', '２０２６-11-21T10:15:30.123Z', false],
    ])('%s: %s -> %s', (_name, s, ok) => {
      expect(isRealIsoTime(s)).toBe(ok);
    });

    it('isRealIsoTime reads the fields as Date does: a time is real exactly when it survives a Date round trip in the window', () => {
      const two = (max: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(2, '0'));
      const text = fc
        .tuple(fc.integer({ min: 1960, max: 2110 }), two(14), two(33), two(26), two(61), two(61), fc.integer({ min: 0, max: 999 }))
        .map(([y, mo, d, h, mi, s, ms]) => `${y}-${mo}-${d}T${h}:${mi}:${s}.${String(ms).padStart(3, '0')}Z`);
      fc.assert(
        fc.property(text, (s) => {
          const ms = Date.parse(s);
          const byDate = !Number.isNaN(ms) && s >= EARLIEST_TIME && s < LATEST_TIME && new Date(ms).toISOString() === s;
          expect(isRealIsoTime(s)).toBe(byDate);
        }),
        { numRuns: 20_000 },
      );
    });

    it('findUnrealTime points at an impossible event ts', () => {
      const event = { v: 1, eventId: 'E1', ts: '9999-99-99T99:99:99.999Z', position: null, data: {} };
      expect(findUnrealTime(EventSchemas.sos, event)).toBe('/ts');
      expect(findUnrealTime(EventSchemas.sos, { ...event, ts: '2026-11-21T10:15:30.123Z' })).toBeUndefined();
      expect(findUnrealTime(Telemetry, { v: 1, ts: '2027-02-29T00:00:00.000Z' })).toBe('/ts');
    });

    it('findUnrealTime follows unions with null, optional fields, arrays and composites', () => {
      const schema = Type.Composite([
        Type.Object({ until: Type.Union([IsoTime, Type.Null()]) }),
        Type.Object({ seen: Type.Optional(Type.Array(Type.Object({ at: IsoTime }))), label: Type.String() }),
      ]);
      expect(findUnrealTime(schema, { until: null, label: '9999-99-99T99:99:99.999Z' })).toBeUndefined(); // not an IsoTime field
      expect(findUnrealTime(schema, { until: '2026-01-01T24:00:00.000Z', label: 'x' })).toBe('/until');
      expect(findUnrealTime(schema, { until: null, label: 'x', seen: [{ at: '2026-01-01T00:00:00.000Z' }, { at: '0000-01-01T00:00:00.000Z' }] })).toBe('/seen/1/at');
    });
  });

  it('the new dead-letter reasons exist, additive to the contract\'s', () => {
    for (const r of ['malformed_unicode', 'nesting_too_deep', 'invalid_timestamp', 'processing_failed', 'malformed_json', 'schema_invalid']) {
      expect(DEAD_LETTER_REASONS).toHaveProperty(r);
    }
  });
});
