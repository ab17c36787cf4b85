import mqtt, { type MqttClient } from 'mqtt';
import { isoTime, parseTopic, topicMatches, topics, type Case, type TraceMqttLine, type TraceOperatorLine } from '../../protocol/index.js';
import type { Clock } from '../../lib/clock/index.js';
import { loggedInAs } from '../../simulator/scenario/http-client.js';
import { operatorRequest } from './operator-request.js';
import { payloadBytes } from './lines.js';
import type { ParsedTrace } from './reader.js';
import { ackOfUnreplayed, recordedCommands } from './replay.js';

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
  /**
   * AUTH on: each car's MQTT password by VIN. Given, every car of the trace connects as itself (one
   * client per VIN, username = VIN, which subscribes to its own commands), since a car may publish only
   * on its own topics; lines of a car missing from the map, and lines that are no car's, are skipped.
   * Absent: one anonymous client publishes every line (AUTH off).
   */
  passwords?: ReadonlyMap<string, string>;
}

export interface UrlReplaySummary {
  loops: number;
  published: number;
  /** Lines left out because no car could publish them (AUTH on: a car without a password, or no car's topic). */
  skipped: number;
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
  // The commands this stack sends, per car, to map recorded acks onto (see replay.ts ackMapped).
  const live = new Map<string, string[]>();
  const onMessage = (topic: string, payload: Buffer) => {
    const route = parseTopic(topic);
    if (route.kind !== 'commands') return;
    try {
      const id = (JSON.parse(payload.toString()) as { commandId?: string }).commandId;
      if (id) live.set(route.vin, [...(live.get(route.vin) ?? []), id]);
    } catch {
      /* not a command we can map */
    }
  };
  const publishers = await connectPublishers(trace, opts, run, onMessage);
  const recorded = recordedCommands(trace);
  const sleep = (ms: number) => pause(wall, ms, opts.signal);
  const summary: UrlReplaySummary = { loops: 0, published: 0, skipped: 0, operatorOk: 0, operatorFailed: 0 };
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
        const client = publishers.of(line.topic);
        if (!client) {
          summary.skipped++;
          continue;
        }
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
    await publishers.end();
  }
  if (summary.skipped > 0) log(`${summary.skipped} line(s) skipped: no car of the trace with a password could publish them`);
  return summary;
}

interface Publishers {
  /** The client that may publish on `topic`, or undefined. */
  of(topic: string): MqttClient | undefined;
  end(): Promise<void>;
}

/**
 * AUTH off: one anonymous client for every line, subscribed to every car's commands. AUTH on
 * (`passwords`): a client per car of the trace, as that car (client id `car-<VIN>-replay<run>`, clean
 * session), subscribed to its own commands only, as the broker's ACL allows.
 */
async function connectPublishers(trace: ParsedTrace, opts: UrlReplayOptions, run: string, onMessage: (topic: string, payload: Buffer) => void): Promise<Publishers> {
  const open = async (clientId: string, auth: { username: string; password: string } | undefined, subscription: string): Promise<MqttClient> => {
    const client = mqtt.connect(opts.url, { protocolVersion: 4, clean: true, clientId, reconnectPeriod: 1000, ...auth });
    try {
      await new Promise<void>((resolve, reject) => {
        client.once('connect', () => resolve());
        client.once('error', reject);
      });
    } catch (err) {
      await client.endAsync(true);
      const code = (err as { code?: unknown }).code;
      if (code === 4 || code === 5) {
        throw new Error(
          auth
            ? `the broker at ${opts.url} refused car ${auth.username} (CONNACK ${String(code)}): wrong password; provision it again (--provision)`
            : `the broker at ${opts.url} refused an anonymous client (CONNACK ${String(code)}): it has AUTH on; pass --username/--password (one car) or --provision with an admin token`,
        );
      }
      throw err;
    }
    client.on('message', onMessage);
    await client.subscribeAsync(subscription, { qos: 1 });
    return client;
  };
  if (!opts.passwords) {
    const client = await open(`anshin-replay-${run}`, undefined, 'v1/vehicles/+/commands');
    return { of: () => client, end: () => client.endAsync() };
  }
  const passwords = opts.passwords;
  const vins = [...new Set(trace.lines.flatMap((l) => (l.kind === 'mqtt' && l.dir === 'in' ? [parseTopic(l.topic)] : [])).flatMap((r) => ('vin' in r && passwords.has(r.vin) ? [r.vin] : [])))];
  const cars = new Map<string, MqttClient>();
  try {
    // A bounded number of CONNECTs in flight: a trace may hold thousands of cars.
    for (let i = 0; i < vins.length; i += 64) {
      const batch = vins.slice(i, i + 64);
      const clients = await Promise.all(batch.map((vin) => open(`car-${vin}-replay${run}`, { username: vin, password: passwords.get(vin)! }, topics.commands(vin))));
      batch.forEach((vin, k) => cars.set(vin, clients[k]!));
    }
  } catch (err) {
    await Promise.all([...cars.values()].map((c) => c.endAsync(true)));
    throw err;
  }
  return {
    of(topic) {
      const route = parseTopic(topic);
      return 'vin' in route ? cars.get(route.vin) : undefined;
    },
    end: async () => {
      await Promise.all([...cars.values()].map((c) => c.endAsync()));
    },
  };
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
  // AUTH on, an operator's login token: it acts as itself, not as the operator the trace names; the
  // service says who that is (403), and the request goes again as that operator.
  const call = async (path: string, init: RequestInit = {}): Promise<Response> => {
    const res = await fetch(`${opts.httpUrl}${path}`, { ...init, headers });
    if (res.status !== 403 || !opts.token) return res;
    const self = loggedInAs(res.status, await res.json().catch(() => undefined));
    if (!self) return res;
    headers['x-operator-id'] = self;
    return fetch(`${opts.httpUrl}${path}`, { ...init, headers });
  };
  const eventId = `${line.eventId}${suffix}`;
  // The event may still be on its way: look for its case for up to 5 s.
  for (let attempt = 0; attempt < 50 && !opts.signal?.aborted; attempt++) {
    for (const status of ['open', 'closed']) {
      const res = await call(`/v1/cases?status=${status}`);
      if (!res.ok) {
        opts.log?.(`${line.action} ${line.vin} ${eventId}: GET /v1/cases answered ${res.status}`);
        return false;
      }
      // One call at a time: an event that joined a live call is one of that case's triggers.
      const c = ((await res.json()) as Case[]).find((x) => x.vin === line.vin && (x.eventId === eventId || x.triggers?.some((t) => t.eventId === eventId)));
      if (!c) continue;
      const request = operatorRequest(line, c);
      if (!request) {
        opts.log?.(`${line.action} ${line.vin} ${eventId}: the case has no ${line.action === 'relay_phone_result' ? `relay #${String(line.relay)}` : `dispatch #${String(line.dispatch)}`}`);
        return false;
      }
      for (const first of request.before ?? []) {
        const res = await call(first.path, { method: first.method, body: JSON.stringify(first.body) });
        await res.body?.cancel().catch(() => {});
        opts.log?.(`${line.action} ${line.vin} ${eventId}: ${first.method} ${first.path} ${res.status}`);
      }
      const done = await call(request.path, { method: request.method, body: JSON.stringify(request.body) });
      await done.body?.cancel().catch(() => {});
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
