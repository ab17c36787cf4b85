import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';

export interface RawMessage {
  topic: string;
  payload: Buffer;
  retain: boolean;
}

let counter = 0;

/**
 * A plain MQTT.js client (no simulator logic) that keeps every message it receives, for tests that
 * publish hand-made bytes or watch backend topics. It never reconnects on its own.
 */
export class RawMqttClient {
  readonly received: RawMessage[] = [];
  closed = false;
  private waiters: Array<() => void> = [];

  private constructor(readonly client: MqttClient) {
    client.on('message', (topic, payload, packet) => {
      this.received.push({ topic, payload, retain: packet.retain });
      this.wake();
    });
    client.on('close', () => {
      this.closed = true;
      this.wake();
    });
    client.on('error', () => {});
  }

  static async connect(url: string, options: IClientOptions = {}): Promise<RawMqttClient> {
    const client = await mqtt.connectAsync(url, {
      protocolVersion: 4,
      clientId: `raw-test-${process.pid}-${++counter}`,
      reconnectPeriod: 0,
      connectTimeout: 5_000,
      ...options,
    });
    return new RawMqttClient(client);
  }

  async subscribe(filters: string[]): Promise<void> {
    const granted = await this.client.subscribeAsync(filters, { qos: 1 });
    for (const g of granted) if (g.qos === 128) throw new Error(`subscription to ${g.topic} refused`);
  }

  /** QoS 1 publish; resolves on PUBACK. */
  async publish(topic: string, payload: string | Buffer, opts: { qos?: 0 | 1; retain?: boolean } = {}): Promise<void> {
    await this.client.publishAsync(topic, payload, { qos: opts.qos ?? 1, retain: opts.retain ?? false });
  }

  /** First message (already received or coming) that matches, or rejects after `timeoutMs`. */
  async next(predicate: (m: RawMessage) => boolean, timeoutMs = 5_000): Promise<RawMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.received.find(predicate);
      if (hit) return hit;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching MQTT message within ${timeoutMs} ms; got ${this.received.map((m) => m.topic).join(', ')}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Resolves when the broker has dropped (or we ended) the connection. */
  async waitClosed(timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`connection still open after ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  async end(): Promise<void> {
    await this.client.endAsync(true).catch(() => {});
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}

/** The value of one Prometheus sample (`name{label="v"} 3`) in a text exposition; 0 if absent. */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = m[3] ? m[3].split(',') : [];
    if (wanted.every((w) => have.includes(w)) && have.length === wanted.length) return Number(m[4]);
  }
  return 0;
}

let eventCounter = 0;

/** A contract-valid event envelope (CONTRACT.md "Event envelope") with a fresh eventId. */
export function validEvent(vin: string, type = 'airbag', over: Record<string, unknown> = {}): Record<string, unknown> {
  const data: Record<string, unknown> =
    type === 'airbag' ? { deployed: ['driver_front'], deltaVKmh: 30 } : type === 'impact' ? { deltaVKmh: 20 } : type === 'power' ? { mode: 'on' } : type === 'security-alarm' ? { kind: 'intrusion' } : {};
  return {
    v: 1,
    eventId: `EVT${process.pid}x${Date.now().toString(36)}x${++eventCounter}`,
    vin,
    type,
    ts: new Date().toISOString(),
    position: { lat: 35.6812, lon: 139.7671, headingDeg: 90, trusted: true },
    occupants: 1,
    test: false,
    data,
    ...over,
  };
}
