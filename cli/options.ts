import { InvalidArgumentError } from 'commander';
import { EVENT_TYPES, isEventType, isVin, type EventType } from '../protocol/index.js';

/** Shared option parsers: a bad value is a usage error (exit 2) naming what is accepted. */
export function parseVin(value: string): string {
  if (!isVin(value)) throw new InvalidArgumentError('a VIN is 17 characters of A-H J-N P R-Z 0-9 (ISO 3779).');
  return value;
}

export function parseEventType(value: string): EventType {
  if (!isEventType(value)) throw new InvalidArgumentError(`expected one of ${EVENT_TYPES.join(', ')}.`);
  return value;
}

export function parseNonNegative(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('expected a number >= 0.');
  return n;
}

export function parseInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError('expected an integer.');
  return n;
}

/** `10m`, `30s`, `1500ms`, `1h`, or plain milliseconds. */
export function parseDuration(value: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim());
  if (!m) throw new InvalidArgumentError('expected a duration like 500ms, 30s, 10m or 1h.');
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 'ms') as 'ms' | 's' | 'm' | 'h'];
  return Math.round(Number(m[1]) * unit);
}

export const DEFAULT_MQTT_URL = process.env.MQTT_URL ?? 'mqtt://127.0.0.1:1883';
export const DEFAULT_HTTP_URL = process.env.ANSHIN_HTTP_URL ?? 'http://127.0.0.1:3000';
