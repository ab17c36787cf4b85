import { InvalidArgumentError } from 'commander';
// The two contract modules these need, not protocol/index.js: that one compiles every schema's
// validator, which only a command's action should pay for.
import { EVENT_TYPES, isEventType, type EventType } from '../protocol/events.js';
import { isVin } from '../protocol/vin.js';
import { UsageError } from './errors.js';

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

const MQTT_URL_HELP = 'expected an mqtt:// or mqtts:// URL, e.g. mqtt://127.0.0.1:1883.';

function isMqttUrl(value: string): boolean {
  if (!/^mqtts?:\/\//i.test(value)) return false;
  try {
    return new URL(value).hostname !== '';
  } catch {
    return false;
  }
}

/** `--url`: the simulator and the recorder speak MQTT over TCP or TLS only. */
export function parseMqttUrl(value: string): string {
  if (!isMqttUrl(value)) throw new InvalidArgumentError(MQTT_URL_HELP);
  return value;
}

/** The same check in an action, where the value may be the default from MQTT_URL (commander does not parse defaults). */
export function checkMqttUrl(value: string): string {
  if (!isMqttUrl(value)) throw new UsageError(`--url ${JSON.stringify(value)}${value === process.env.MQTT_URL ? ' (from MQTT_URL)' : ''}: ${MQTT_URL_HELP}`);
  return value;
}

export function parseHttpUrl(value: string): string {
  if (!/^https?:\/\/[^/]/i.test(value)) throw new InvalidArgumentError('expected an http:// or https:// URL, e.g. http://127.0.0.1:3000.');
  return value;
}

export const DEFAULT_MQTT_URL = process.env.MQTT_URL || 'mqtt://127.0.0.1:1883';
export const DEFAULT_HTTP_URL = process.env.ANSHIN_HTTP_URL || 'http://127.0.0.1:3000';
