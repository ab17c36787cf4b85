import mqtt from 'mqtt';
import { isoTime, parseTopic, type Case, type TraceMqttLine, type TraceOperatorLine } from '../../protocol/index.js';
import type { Clock } from '../../lib/clock/index.js';
import { payloadBytes } from './lines.js';
import type { ParsedTrace } from './reader.js';
import { ackOfUnreplayed, recordedCommands } from './replay.js';
import { topicMatches } from './topic-filter.js';

export interface UrlReplayOptions {
  url: string;
  /** The stack's HTTP API, for operator lines; without it operator lines are skipped. */
  httpUrl?: string;
  token?: string;
  speed: number | 'max';
  /** Loops over the trace; Infinity until stopped. */
  loops: number;
  /** Only `in` lines whose topic matches this MQTT filter. */
  topic?: string;
  wallClock: Clock;
  /** Progress, one line per loop (that loop's counts, then the running totals). */
  log?: (message: string) => void;
  /** Aborted (Ctrl-C): stops after the current line, cutting a paced wait short. */
  signal?: AbortSignal;
}

export interface UrlReplaySummary {
  loops: number;
  published: number;
  operatorOk: number;
  operatorFailed: number;
}

/**
 * Replays `in` lines against a running stack's broker in wall time / speed. Each loop rewrites `ts` to
 * now and suffixes eventIds (`<id>-<run><loop>`) so the service does not drop them as duplicates; acks
 * are mapped onto the commands this stack really sent (k-th command to that car). Operator lines go to
 * the HTTP API, on the case found by `GET /v1/cases` with the car and the (suffixed) eventId.
 */
export async function replayToUrl(trace: ParsedTrace, opts: UrlReplayOptions): Promise<UrlReplaySummary> {
  const { wallClock: wall } = opts;
  const log = opts.log ?? (() => {});
  const run = (wall.now() % 46_656).toString(36).padStart(3, '0');
  const client = mqtt.connect(opts.url, { protocolVersion: 4, clean: true, clientId: `anshin-replay-${run}`, reconnectPeriod: 1000 });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  // The commands this stack sends, per car, to map recorded acks onto (see replay.ts ackMapped).
  const live = new Map<string, string[]>();
  client.on('message', (topic, payload) => {
    const route = parseTopic(topic);
    if (route.kind !== 'commands') return;
    try {
      const id = (JSON.parse(payload.toString()) as { commandId?: string }).commandId;
      if (id) live.set(route.vin, [...(live.get(route.vin) ?? []), id]);
    } catch {
      /* not a command we can map */
    }
  });
  await client.subscribeAsync('v1/vehicles/+/commands', { qos: 1 });
  const recorded = recordedCommands(trace);
  const sleep = (ms: number) => pause(wall, ms, opts.signal);
  const summary: UrlReplaySummary = { loops: 0, published: 0, operatorOk: 0, operatorFailed: 0 };
  const of = Number.isFinite(opts.loops) ? `/${opts.loops}` : '';

  try {
    for (let loop = 0; loop < opts.loops && !opts.signal?.aborted; loop++) {
      const suffix = `-${run}${loop.toString(36)}`;
      const offsets = new Map<string, number>(); // commands seen per car before this loop
      for (const [vin, list] of live) offsets.set(vin, list.length);
      const loopStart = wall.now();
      const before = { ...summary };
      for (const line of trace.lines) {
        if (opts.speed !== 'max') await sleep(loopStart + line.t / opts.speed - wall.now());
        if (opts.signal?.aborted) break; // also when the abort cut the wait short: this line is not due
        if (line.kind === 'operator') {
          if (!opts.httpUrl) continue;
          const ok = await operate(line, suffix, opts, sleep);
          if (ok) summary.operatorOk++;
          else summary.operatorFailed++;
          continue;
        }
        if (line.dir !== 'in' || (opts.topic && !topicMatches(opts.topic, line.topic))) continue;
        if (ackOfUnreplayed(line, recorded)) continue; // this stack was not sent that command either
        const payload = rewrite(line, suffix, isoTime(wall.now()), (id) => {
          const at = recorded.get(id);
          return at ? live.get(at.vin)?.[(offsets.get(at.vin) ?? 0) + at.k] : undefined;
        });
        await client.publishAsync(line.topic, payload, { qos: line.qos, retain: line.retain });
        summary.published++;
      }
      summary.loops++;
      log(
        `loop ${loop + 1}${of}${opts.signal?.aborted ? ' (stopped)' : ''}: ${summary.published - before.published} published, ` +
          `operator actions ${summary.operatorOk - before.operatorOk} ok / ${summary.operatorFailed - before.operatorFailed} failed ` +
          `(in all: ${summary.published} published, ${summary.operatorOk} ok / ${summary.operatorFailed} failed)`,
      );
    }
  } finally {
    await client.endAsync();
  }
  return summary;
}

/** `ts` to now, eventIds suffixed, ack command ids mapped; anything not JSON goes as recorded. */
function rewrite(line: TraceMqttLine, suffix: string, now: string, mapCommand: (id: string) => string | undefined): Buffer {
  if (line.payload === undefined) return payloadBytes(line);
  let body: unknown;
  try {
    body = JSON.parse(line.payload);
  } catch {
    return payloadBytes(line);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return payloadBytes(line);
  const b = body as Record<string, unknown>;
  if (typeof b.ts === 'string') b.ts = now;
  if (typeof b.eventId === 'string') b.eventId = `${b.eventId}${suffix}`;
  if (typeof b.commandId === 'string') b.commandId = mapCommand(b.commandId) ?? b.commandId;
  return Buffer.from(JSON.stringify(b));
}

async function operate(line: TraceOperatorLine, suffix: string, opts: UrlReplayOptions, sleep: (ms: number) => Promise<void>): Promise<boolean> {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-operator-id': line.operatorId, ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}) };
  const eventId = `${line.eventId}${suffix}`;
  // The event may still be on its way: look for its case for up to 5 s.
  for (let attempt = 0; attempt < 50 && !opts.signal?.aborted; attempt++) {
    for (const status of ['open', 'closed']) {
      const res = await fetch(`${opts.httpUrl}/v1/cases?status=${status}`, { headers });
      if (!res.ok) return false;
      // One call at a time: an event that joined a live call is one of that case's triggers.
      const c = ((await res.json()) as Case[]).find((x) => x.vin === line.vin && (x.eventId === eventId || x.triggers?.some((t) => t.eventId === eventId)));
      if (!c) continue;
      const body = line.action === 'close' ? { resolution: line.resolution, ...(line.note ? { note: line.note } : {}) } : {};
      const done = await fetch(`${opts.httpUrl}/v1/cases/${c.id}/${line.action}`, { method: 'POST', headers, body: JSON.stringify(body) });
      opts.log?.(`${line.action} ${line.vin} ${eventId}: ${done.status}`);
      return done.ok;
    }
    await sleep(100);
  }
  opts.log?.(`${line.action} ${line.vin} ${eventId}: no case found`);
  return false;
}

/**
 * Waits `ms` on the clock; an abort ends the wait at once. The timer keeps the process alive (Clock
 * contract), so it is cleared on abort, not left to run out after Ctrl-C.
 */
function pause(clock: Clock, ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const wake = () => {
      clock.clearTimer(timer);
      resolve();
    };
    const timer = clock.setTimer(ms, () => {
      signal?.removeEventListener('abort', wake);
      resolve();
    });
    signal?.addEventListener('abort', wake, { once: true });
  });
}
