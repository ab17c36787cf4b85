import { SystemClock, type Clock } from '../../lib/clock/index.js';
import type { InboundListener } from '../../services/broker/embedded-broker.js';
import type { Stack } from '../../services/stack.js';
import { clockTime, lineFor, monotonicTime, pickTraceConfig, traceHeader, type TraceTimeSource } from './lines.js';
import { TraceWriter } from './writer.js';

export interface Recording {
  readonly path: string;
  /** Lines written so far (header excluded). */
  readonly lines: number;
  /** Stops listening, flushes and closes the file. */
  stop(): Promise<void>;
}

export interface RecordEmbeddedOptions {
  /** Take `t` from this clock (a stack on a VirtualClock: fixtures) instead of performance.now. */
  clock?: Clock;
  scenario?: string;
  /** Leave the broker's address out of the header (fixtures: an ephemeral port would make reruns differ). */
  omitUrl?: boolean;
  /**
   * Where car messages are seen: the broker as they arrive (default), or an `InboundGate` as they are
   * let into ingest (fixtures: the order the gate lets them in is the order the service saw them).
   */
  inbound?: { onInbound(listener: InboundListener): () => void };
}

/**
 * Records every publish through the stack's embedded aedes broker, in both directions, operator
 * actions included (they arrive as `v1/audit/operator-actions`): car messages through the broker's
 * inbound hook, everything else through its `onPublished`.
 */
export function recordEmbedded(stack: Pick<Stack, 'broker' | 'config' | 'mqttUrl'>, out: string, opts: RecordEmbeddedOptions = {}): Recording {
  const broker = stack.broker;
  if (!broker) throw new Error('recordEmbedded needs the embedded broker (MQTT_URL is set: record with an MQTT subscriber instead)');
  const time: TraceTimeSource = opts.clock ? clockTime(opts.clock) : monotonicTime(new SystemClock());
  const writer = new TraceWriter(
    out,
    traceHeader(time.startMs, pickTraceConfig(stack.config), {
      kind: 'embedded',
      ...(opts.omitUrl ? {} : { url: stack.mqttUrl }),
      clock: opts.clock ? 'virtual' : 'monotonic',
      ...(opts.scenario ? { scenario: opts.scenario } : {}),
    }),
  );
  // A car's publish is recorded as it arrives, before its ingest: the commands its commit causes
  // are published during that ingest and must come after it in the trace. The broker's `onPublished`
  // (aedes' `publish` event) comes after the ingest, so it records everything else (backend messages, other topics).
  const record = (topic: string, payload: Buffer, qos: 0 | 1 | 2, retain: boolean, clientId: string | null) => {
    const line = lineFor({ topic, payload, qos, retain, ...(clientId ? { clientId } : {}) }, time);
    if (line) writer.write(line);
  };
  const offInbound = (opts.inbound ?? broker).onInbound((topic, payload, clientId, packet) => record(topic, payload, packet.qos, packet.retain, clientId));
  const offPublished = broker.onPublished((topic, payload, clientId, packet) => record(topic, payload, packet.qos, packet.retain, clientId));
  return {
    path: out,
    get lines() {
      return writer.lines;
    },
    async stop() {
      offPublished();
      offInbound();
      await writer.close();
    },
  };
}
