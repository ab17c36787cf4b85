import { isoTime, topics, type EventType, type Position, type TraceConfig, type TraceHeader, type TraceLine } from '../../protocol/index.js';
import { buildEvent, buildStatus, buildTelemetry, defaultData, eventIdFactory, mulberry32 } from '../../simulator/car/index.js';
import { traceHeader } from './lines.js';

export interface GenerateOptions {
  cars: number;
  durationMs: number;
  seed: number;
  /** Telemetry period per car. */
  telemetryEveryMs?: number;
  /** Share of cars with an emergency. */
  incidentShare?: number;
  startMs?: number;
  config?: TraceConfig;
}

const VIN_CHARS = 'ABCDEFGHJKLMNPRSTUVWXYZ0123456789';
const MINUTE = 60_000;

/**
 * A synthetic trace for load and regression work: `cars` cars online, telemetry, and incidents with
 * operator steps (answer, hang up, close), a trouble press during a lockout and after its expiry
 * (D3.1, D3.5), all seeded. Only `in` and operator lines (no commands), as a recording filtered to inputs.
 */
export function generateTrace(opts: GenerateOptions): { header: TraceHeader; lines: TraceLine[] } {
  const rng = mulberry32(opts.seed);
  const startMs = opts.startMs ?? Date.UTC(2026, 10, 21, 8, 0, 0);
  const tele = opts.telemetryEveryMs ?? MINUTE;
  const share = opts.incidentShare ?? 0.4;
  const lines: TraceLine[] = [];
  const mqtt = (t: number, topic: string, payload: unknown, qos: 0 | 1, retain = false, clientId?: string) =>
    lines.push({ kind: 'mqtt', t, wall: isoTime(startMs + t), dir: 'in', topic, payload: JSON.stringify(payload), qos, retain, ...(clientId ? { clientId } : {}) });
  const operator = (t: number, action: 'answer' | 'hangup' | 'callback' | 'close', vin: string, eventId: string, resolution?: string) =>
    lines.push({ kind: 'operator', t, wall: isoTime(startMs + t), action, vin, eventId, operatorId: `op-${1 + (vin.charCodeAt(16) % 8)}`, ...(resolution ? { resolution } : {}) });

  for (let i = 0; i < opts.cars; i++) {
    const vin = `JT2GEN${Array.from({ length: 11 }, () => VIN_CHARS[rng.int(0, VIN_CHARS.length - 1)]).join('')}`;
    const clientId = `car-${vin}`;
    let now = 0;
    const nextId = eventIdFactory(rng, () => startMs + now);
    const position: Position = { lat: 35 + rng.range(-1, 1), lon: 137 + rng.range(-2, 2), headingDeg: rng.int(0, 359), trusted: true };
    const joined = rng.int(0, 30_000);
    mqtt(joined, topics.status(vin), buildStatus(true, startMs + joined), 1, true, clientId);
    for (let t = joined + rng.int(0, tele); t < opts.durationMs; t += tele) {
      mqtt(t, topics.telemetry(vin), buildTelemetry({ vin, nowMs: startMs + t, position, speedKmh: rng.int(0, 110), powerMode: 'on' }), 0, false, clientId);
    }
    const fire = (t: number, type: EventType, data?: unknown): string => {
      now = t;
      const eventId = nextId();
      const event = buildEvent({ vin, type, eventId, nowMs: startMs + t, position, data: (data ?? defaultData(type, rng, 'on')) as never, occupants: rng.int(1, 4) });
      mqtt(t, topics.event(vin, type), event, 1, false, clientId);
      return eventId;
    };
    const call = (t: number, eventId: string, talkMs: number) => {
      operator(t + rng.int(5_000, 30_000), 'answer', vin, eventId);
      operator(t + 30_000 + talkMs, 'hangup', vin, eventId);
      operator(t + 60_000 + talkMs, 'close', vin, eventId, 'handled');
    };
    if (i === 0) {
      // D3.5: a lockout that expires at minute 61; the trouble button is refused before and works after.
      const sos = fire(30_000, 'sos');
      operator(40_000, 'answer', vin, sos);
      operator(60_000, 'hangup', vin, sos);
      operator(70_000, 'close', vin, sos, 'advice_given');
      fire(30 * MINUTE, 'trouble');
      fire(61 * MINUTE + 30_000, 'trouble');
      continue;
    }
    if (rng.next() >= share) continue;
    const t = rng.int(MINUTE, Math.max(MINUTE + 1, opts.durationMs - 10 * MINUTE));
    const kind = rng.pick(['airbag', 'impact', 'sos', 'trouble', 'impact-low', 'alarm'] as const);
    if (kind === 'impact-low') fire(t, 'impact', { deltaVKmh: rng.int(1, 7), direction: 'rear' });
    else if (kind === 'alarm') fire(t, 'security-alarm', { kind: 'intrusion' });
    else {
      const id = fire(t, kind);
      call(t, id, rng.int(MINUTE, 5 * MINUTE));
      if (kind === 'sos' && rng.next() < 0.3) fire(t + 10 * MINUTE, 'security-alarm', { kind: 'intrusion' }); // suppressed (D3.1)
    }
  }
  lines.sort((a, b) => a.t - b.t);
  const header = traceHeader(startMs, opts.config ?? { LOCKOUT_MINUTES: 60, IMPACT_DELTA_V_KMH: 8 }, { kind: 'generated' });
  return { header, lines };
}

export function toNdjson(trace: { header: TraceHeader; lines: TraceLine[] }): string {
  return `${[trace.header, ...trace.lines].map((l) => JSON.stringify(l)).join('\n')}\n`;
}
