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
  return walk(value, 0, [], maxDepth);
}

function walk(value: unknown, depth: number, path: string[], maxDepth: number): JsonLimitProblem | undefined {
  if (typeof value === 'string') return isWellFormedString(value) ? undefined : { kind: 'malformed_unicode', pointer: pointerOf(path) };
  if (typeof value !== 'object' || value === null) return undefined;
  if (depth + 1 > maxDepth) return { kind: 'nesting_too_deep', pointer: pointerOf(path) };
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      path.push(String(i));
      const found = walk(value[i], depth + 1, path, maxDepth);
      path.pop();
      if (found) return found;
    }
    return undefined;
  }
  for (const [key, child] of Object.entries(value)) {
    path.push(key);
    const found = isWellFormedString(key) ? walk(child, depth + 1, path, maxDepth) : { kind: 'malformed_unicode' as const, pointer: pointerOf(path) };
    path.pop();
    if (found) return found;
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
const EARLIEST_MS = Date.parse(EARLIEST_TIME);
const LATEST_MS = Date.parse(LATEST_TIME);
const ISO_TIME = new RegExp(IsoTime.pattern!);

/**
 * Contract "Names": `YYYY-MM-DDTHH:MM:SS.mmmZ` that is a real instant (month 1-12, a day the month
 * has, Feb 29 only in leap years, hour < 24, minute and second < 60) within [EARLIEST_TIME,
 * LATEST_TIME). Round-trips through `Date`: `Date` rolls `24:00` and `02-30` over to the next day or
 * month and rejects `99`, so anything that does not come back unchanged was not a real time.
 */
export function isRealIsoTime(s: string): boolean {
  if (!ISO_TIME.test(s)) return false;
  const ms = Date.parse(s);
  if (Number.isNaN(ms) || ms < EARLIEST_MS || ms >= LATEST_MS) return false;
  return new Date(ms).toISOString() === s;
}

/**
 * The JSON pointer of the first string in `value` that `schema` types as IsoTime (by its pattern, so
 * Composite copies count) and that is not a real time, or undefined. Follows object properties, array
 * items and every branch of a union, so an IsoTime added to an inbound schema later is checked too.
 */
export function findUnrealTime(schema: TSchema, value: unknown, path = ''): string | undefined {
  if (Array.isArray(schema.anyOf)) {
    for (const branch of schema.anyOf as TSchema[]) {
      const found = findUnrealTime(branch, value, path);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (schema.type === 'string' && schema.pattern === IsoTime.pattern) {
    return typeof value === 'string' && ISO_TIME.test(value) && !isRealIsoTime(value) ? path || '/' : undefined;
  }
  if (schema.type === 'object' && schema.properties && typeof value === 'object' && value !== null && !Array.isArray(value)) {
    for (const [key, sub] of Object.entries(schema.properties as Record<string, TSchema>)) {
      if (!Object.hasOwn(value, key)) continue;
      const found = findUnrealTime(sub, (value as Record<string, unknown>)[key], `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (schema.type === 'array' && schema.items && Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findUnrealTime(schema.items as TSchema, value[i], `${path}/${i}`);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}
