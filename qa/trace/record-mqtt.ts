import mqtt from 'mqtt';
import type { TraceConfig } from '../../protocol/index.js';
import type { Clock, TimerHandle } from '../../lib/clock/index.js';
import { lineFor, monotonicTime, traceHeader } from './lines.js';
import type { Recording } from './record-embedded.js';
import { TraceWriter } from './writer.js';

export interface RecordMqttOptions {
  url: string;
  out: string;
  /** The backend's configuration, written to the header for replay (the recorder cannot ask it). */
  config: TraceConfig;
  wallClock: Clock;
  username?: string;
  password?: string;
  clientId?: string;
  /** Keep retained messages the broker sends on subscribe (state from before the recording). */
  includeRetained?: boolean;
  connectTimeoutMs?: number;
}

/**
 * Records from any broker with a `v1/#` subscriber (`$SYS` is outside `v1/`, so ignored). Subscribed at
 * QoS 2, so each message arrives at the QoS it was published with and the line's `qos` is the original's.
 * MQTT 3.1.1 sets `retain` only on messages that were retained before we subscribed: those are skipped
 * unless `includeRetained`, so live lines read `retain: false` even for retained topics.
 */
export async function recordMqtt(opts: RecordMqttOptions): Promise<Recording> {
  const time = monotonicTime(opts.wallClock);
  const client = mqtt.connect(opts.url, {
    protocolVersion: 4,
    clean: true,
    reconnectPeriod: 1000,
    connectTimeout: opts.connectTimeoutMs ?? 10_000,
    clientId: opts.clientId ?? `anshin-recorder-${Math.floor(time.startMs % 1e9).toString(36)}`,
    ...(opts.username ? { username: opts.username, password: opts.password } : {}),
  });
  let timer: TimerHandle | undefined;
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
    timer = opts.wallClock.setTimer((opts.connectTimeoutMs ?? 10_000) + 100, () => reject(new Error(`no connection to ${opts.url}`)));
  }).finally(() => {
    // Cleared however the wait ends: a pending timeout would keep a failed command's process alive.
    if (timer) opts.wallClock.clearTimer(timer);
  }).catch(async (err: Error) => {
    await client.endAsync(true);
    throw err;
  });
  const writer = new TraceWriter(opts.out, traceHeader(time.startMs, opts.config, { kind: 'mqtt', url: opts.url, clock: 'monotonic' }));
  client.on('message', (topic, payload, packet) => {
    if (packet.retain && !opts.includeRetained) return;
    const line = lineFor({ topic, payload, qos: packet.qos, retain: packet.retain }, time);
    if (line) writer.write(line);
  });
  await client.subscribeAsync('v1/#', { qos: 2 });
  return {
    path: opts.out,
    get lines() {
      return writer.lines;
    },
    async stop() {
      await client.endAsync();
      await writer.close();
    },
  };
}
