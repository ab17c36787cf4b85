import { Type, type Static } from '@sinclair/typebox';

/** Contract "Names": ISO 8601 UTC with milliseconds, e.g. 2026-11-21T10:15:30.123Z. */
export const IsoTime = Type.String({
  pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$',
  description: 'ISO 8601 UTC time with milliseconds',
  examples: ['2026-11-21T10:15:30.123Z'],
});
export type IsoTime = Static<typeof IsoTime>;

/** Contract "Names": ids are opaque unique strings (we mint ULIDs; we accept any UUID/ULID-like token). */
export const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });
export type Id = Static<typeof Id>;

/** Position of the car; `trusted: false` means the fix is doubtful (tunnel, multipath), D2.7. */
export const Position = Type.Object({
  lat: Type.Number({ minimum: -90, maximum: 90 }),
  lon: Type.Number({ minimum: -180, maximum: 180 }),
  headingDeg: Type.Optional(Type.Number({ minimum: 0, maximum: 360 })),
  trusted: Type.Boolean(),
});
export type Position = Static<typeof Position>;

/** `null` means position unknown: the operator asks the caller (D2.7). */
export const MaybePosition = Type.Union([Position, Type.Null()]);
export type MaybePosition = Static<typeof MaybePosition>;

/** Every payload carries the contract version; v1 is the only one so far. */
export const ContractVersion = Type.Literal(1);

export function isoTime(ms: number): IsoTime {
  return new Date(ms).toISOString();
}
