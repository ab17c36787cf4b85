import type { TSchema } from '@sinclair/typebox';
import { IsoTime } from './common.js';

/**
 * Limits every inbound value is held to before anything is stored (issue "No acknowledged emergency
 * event lost"): a value the store cannot read back would make the car's whole record unreadable.
 * Redis's Lua cjson refuses nesting deeper than 1000 and lone-surrogate escapes (`\ud800`); both are
 * valid to `JSON.parse`, so the schema alone let them through.
 */

/**
 * Deepest nesting of objects and arrays a payload or HTTP body may have. The deepest legitimate
 * inbound value is an event's `data.seatbelts` (3 levels); the store then wraps it in case and car
 * records a few levels more. 32 leaves ample room for additive contract growth and stays far below
 * cjson's limit of 1000, whatever the store wraps around it.
 */
export const MAX_JSON_DEPTH = 32;

/** Which limit a value breaks; the names are also the dead-letter reasons and HTTP error codes. */
export type JsonLimitProblem = { kind: 'nesting_too_deep' | 'malformed_unicode'; pointer: string };

/** Node 20 has `isWellFormed` (ES2024) but the ES2023 lib does not type it; the regex is the fallback. */
const LONE_SURROGATE = /\p{Cs}/u;
const nativeWellFormed = (String.prototype as { isWellFormed?: (this: string) => boolean }).isWellFormed;

/** True when `s` has no lone surrogate (UTF-16 that encodes real Unicode scalar values only). */
export function isWellFormedString(s: string): boolean {
  return nativeWellFormed ? nativeWellFormed.call(s) : !LONE_SURROGATE.test(s);
}

/**
 * Walks a parsed JSON value once, depth first in document order, and returns the first problem: a
 * container nested deeper than `maxDepth` (a scalar is depth 0, `{}` and `[]` are 1), or a string,
 * value or object key, that is not well-formed Unicode. `pointer` is the RFC 6901 JSON pointer of where.
 * The recursion stops at `maxDepth + 1`, so the walk itself cannot overflow the stack.
 */
export function findJsonLimitProblem(value: unknown, maxDepth: number = MAX_JSON_DEPTH): JsonLimitProblem | undefined {
  const found = walk(value, 0, maxDepth);
  return found && { kind: found.kind, pointer: pointerOf(found.path.reverse()) };
}

/** A problem and its path, deepest segment first: the path is only built on the way back from a problem. */
type Found = { kind: JsonLimitProblem['kind']; path: string[] };

/** Every inbound message is walked (telemetry: 10,000 a second), so nothing is allocated unless something is found. */
function walk(value: unknown, depth: number, maxDepth: number): Found | undefined {
  if (typeof value === 'string') return isWellFormedString(value) ? undefined : { kind: 'malformed_unicode', path: [] };
  if (typeof value !== 'object' || value === null) return undefined;
  if (depth + 1 > maxDepth) return { kind: 'nesting_too_deep', path: [] };
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = walk(value[i], depth + 1, maxDepth);
      if (found) {
        found.path.push(String(i));
        return found;
      }
    }
    return undefined;
  }
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    const found = isWellFormedString(key) ? walk((value as Record<string, unknown>)[key], depth + 1, maxDepth) : { kind: 'malformed_unicode' as const, path: [] };
    if (found) {
      found.path.push(key);
      return found;
    }
  }
  return undefined;
}

/**
 * RFC 6901 pointer (`~` as `~0`, `/` as `~1`), itself safe to log and to publish in a dead letter:
 * a lone surrogate in a key is written as the text `\udXXX`, and long keys are cut.
 */
function pointerOf(path: string[]): string {
  if (path.length === 0) return '/';
  return path
    .map((seg) => {
      const cut = seg.length > 64 ? `${seg.slice(0, 64)}...` : seg;
      const safe = cut.replace(/\p{Cs}/gu, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
      return '/' + safe.replace(/~/g, '~0').replace(/\//g, '~1');
    })
    .join('');
}

/**
 * The window a time a car or client sends must fall in, [1970-01-01, 2100-01-01). Wide on purpose: a
 * car's clock may be wrong by days or years (an RTC reset reports the Unix epoch, a GPS week rollover
 * about 19.6 years back), and an emergency event is never refused for that: the service stamps arrival
 * with its own clock and decides nothing on the car's `ts`. What the window refuses is what no clock
 * shows and not every consumer can store: years 0000 or 9999, times before the Unix epoch.
 */
export const EARLIEST_TIME = '1970-01-01T00:00:00.000Z';
export const LATEST_TIME = '2100-01-01T00:00:00.000Z'; // exclusive
const ISO_TIME = new RegExp(IsoTime.pattern!);

/**
 * Contract "Names": `YYYY-MM-DDTHH:MM:SS.mmmZ` that is a real instant (month 1-12, a day the month
 * has, Feb 29 only in leap years, hour < 24, minute and second < 60) within [EARLIEST_TIME,
 * LATEST_TIME). Read field by field from the fixed-width text (the pattern admits ASCII digits only):
 * every telemetry sample is checked, and with the `Date` round trip (and the schema walked per message)
 * the time checks took about a fifth of the telemetry path's CPU, now about 4% (profiles of
 * bench/micro/telemetry-ingest.ts). The unit tests hold it to that round trip
 * (`new Date(Date.parse(s)).toISOString() === s`) as a property.
 */
export function isRealIsoTime(s: string): boolean {
  if (!ISO_TIME.test(s)) return false;
  const year = digits(s, 0, 4);
  if (year < EARLIEST_YEAR || year >= LATEST_YEAR) return false;
  const month = digits(s, 5, 2);
  const day = digits(s, 8, 2);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return false;
  return digits(s, 11, 2) < 24 && digits(s, 14, 2) < 60 && digits(s, 17, 2) < 60;
}

const EARLIEST_YEAR = Number(EARLIEST_TIME.slice(0, 4));
const LATEST_YEAR = Number(LATEST_TIME.slice(0, 4)); // the window ends at its first instant

function digits(s: string, from: number, count: number): number {
  let n = 0;
  for (let i = from; i < from + count; i++) n = n * 10 + s.charCodeAt(i) - 48;
  return n;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** A compiled check: the pointer below the value of the first unreal IsoTime (`''`: the value itself), or undefined. */
type TimeCheck = (value: unknown) => string | undefined;

/** One check per schema, made on first use: the walk of the schema is done once, not per message. */
const compiled = new WeakMap<TSchema, TimeCheck | null>();

/**
 * The JSON pointer of the first string in `value` that `schema` types as IsoTime (by its pattern, so
 * Composite copies count) and that is not a real time, or undefined. Follows object properties, array
 * items and every branch of a union, so an IsoTime added to an inbound schema later is checked too.
 */
export function findUnrealTime(schema: TSchema, value: unknown): string | undefined {
  let check = compiled.get(schema);
  if (check === undefined) {
    check = compileTimeCheck(schema);
    compiled.set(schema, check);
  }
  if (check === null) return undefined;
  const at = check(value);
  return at === undefined ? undefined : at || '/';
}

/** The check of `schema`, or null when nothing in it is an IsoTime (its values are then never looked at). */
function compileTimeCheck(schema: TSchema): TimeCheck | null {
  if (Array.isArray(schema.anyOf)) {
    const branches = (schema.anyOf as TSchema[]).map(compileTimeCheck).filter((c): c is TimeCheck => c !== null);
    if (branches.length === 0) return null;
    return (value) => {
      for (const branch of branches) {
        const found = branch(value);
        if (found !== undefined) return found;
      }
      return undefined;
    };
  }
  if (schema.type === 'string' && schema.pattern === IsoTime.pattern) {
    return (value) => (typeof value === 'string' && ISO_TIME.test(value) && !isRealIsoTime(value) ? '' : undefined);
  }
  if (schema.type === 'object' && schema.properties) {
    const fields = Object.entries(schema.properties as Record<string, TSchema>)
      .map(([key, sub]) => ({ key, segment: `/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`, check: compileTimeCheck(sub) }))
      .filter((f): f is { key: string; segment: string; check: TimeCheck } => f.check !== null);
    if (fields.length === 0) return null;
    return (value) => {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
      for (const { key, segment, check } of fields) {
        if (!Object.hasOwn(value, key)) continue;
        const found = check((value as Record<string, unknown>)[key]);
        if (found !== undefined) return segment + found;
      }
      return undefined;
    };
  }
  if (schema.type === 'array' && schema.items) {
    const item = compileTimeCheck(schema.items as TSchema);
    if (item === null) return null;
    return (value) => {
      if (!Array.isArray(value)) return undefined;
      for (let i = 0; i < value.length; i++) {
        const found = item(value[i]);
        if (found !== undefined) return `/${i}${found}`;
      }
      return undefined;
    };
  }
  return null;
}
