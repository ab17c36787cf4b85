import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import {
  OperatorAudit,
  TRACE_FORMAT,
  TRACE_VERSION,
  isBackendOnlyTopic,
  isoTime,
  topics,
  validator,
  type TraceConfig,
  type TraceHeader,
  type TraceLine,
  type TraceMqttLine,
} from '../../protocol/index.js';
import type { Clock } from '../../lib/clock/index.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { name: string; version: string };
export const PROJECT = { name: pkg.name, version: pkg.version } as const;

/** The recorder's notion of time: `t` since the start (never decreasing) and the wall time. */
export interface TraceTimeSource {
  readonly startMs: number;
  t(): number;
  wall(): string;
}

/** Real recordings: `t` from performance.now (monotonic), wall from the system clock. */
export function monotonicTime(wallClock: Clock): TraceTimeSource {
  const t0 = performance.now();
  const startMs = wallClock.now();
  return { startMs, t: () => Math.round((performance.now() - t0) * 1000) / 1000, wall: () => isoTime(wallClock.now()) };
}

/** Recordings of a stack on a VirtualClock (fixtures): `t` is virtual time since the start. */
export function clockTime(clock: Clock): TraceTimeSource {
  const startMs = clock.now();
  return { startMs, t: () => clock.now() - startMs, wall: () => isoTime(clock.now()) };
}

export function traceHeader(startMs: number, config: TraceConfig, source?: TraceHeader['source']): TraceHeader {
  return { format: TRACE_FORMAT, version: TRACE_VERSION, startedAt: isoTime(startMs), project: { ...PROJECT }, config, ...(source ? { source } : {}) };
}

export function pickTraceConfig(config: TraceConfig): TraceConfig {
  return { LOCKOUT_MINUTES: config.LOCKOUT_MINUTES, IMPACT_DELTA_V_KMH: config.IMPACT_DELTA_V_KMH, ...(config.MAX_PAYLOAD_BYTES !== undefined ? { MAX_PAYLOAD_BYTES: config.MAX_PAYLOAD_BYTES } : {}) };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** `payload` when the bytes are valid UTF-8, else `payloadBase64` (the bytes are kept exactly either way). */
export function encodePayload(payload: Buffer): { payload: string } | { payloadBase64: string } {
  try {
    return { payload: utf8.decode(payload) };
  } catch {
    return { payloadBase64: payload.toString('base64') };
  }
}

export function payloadBytes(line: TraceMqttLine): Buffer {
  return line.payloadBase64 !== undefined ? Buffer.from(line.payloadBase64, 'base64') : Buffer.from(line.payload ?? '', 'utf8');
}

export function payloadText(line: TraceMqttLine): string {
  return line.payload ?? payloadBytes(line).toString('utf8');
}

const audit = validator(OperatorAudit);
const OPTIONAL_OPERATOR_FIELDS = ['resolution', 'note', 'agency', 'reference', 'destination', 'serviceCar', 'dispatch', 'status', 'etaMinutes', 'message', 'contacts', 'relay', 'answered'] as const;

export interface Publish {
  topic: string;
  payload: Buffer;
  qos: 0 | 1 | 2;
  retain: boolean;
  clientId?: string;
}

/**
 * One publish seen by a recorder as a trace line, or null when it is not part of a trace (`$SYS`,
 * anything outside `v1/`). The audit topic becomes an operator line; other backend-only topics are `out`.
 * Issue 12 part 5 (D4.5): the email outbox is left out: its messages carry contact-confirmation tokens
 * (credentials for 7 days) and addresses; a replay makes its own emails (the outcome's `emails`).
 */
export function lineFor(p: Publish, time: TraceTimeSource): TraceLine | null {
  if (!p.topic.startsWith('v1/')) return null;
  if (p.topic.startsWith('v1/outbox/')) return null;
  const t = time.t();
  const wall = time.wall();
  if (p.topic === topics.operatorAudit) {
    let body: unknown;
    try {
      body = JSON.parse(p.payload.toString('utf8'));
    } catch {
      body = undefined;
    }
    if (audit.check(body)) {
      const { action, vin, eventId, operatorId } = body;
      // resolution, note and (issue 12 part 4) the dispatch fields, when present; nothing else (the line is strict).
      const rest = Object.fromEntries(OPTIONAL_OPERATOR_FIELDS.flatMap((k) => (body[k] !== undefined ? [[k, body[k]]] : [])));
      return { kind: 'operator', t, wall, action, vin, eventId, operatorId, ...rest };
    }
  }
  return {
    kind: 'mqtt',
    t,
    wall,
    dir: isBackendOnlyTopic(p.topic) ? 'out' : 'in',
    topic: p.topic,
    ...encodePayload(p.payload),
    qos: p.qos,
    retain: p.retain,
    ...(p.clientId !== undefined ? { clientId: p.clientId } : {}),
  };
}
