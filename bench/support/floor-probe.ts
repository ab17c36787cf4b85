import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import type { Histogram } from 'hdr-histogram-js';
import { latencyHistogram, recordMs } from './hist.js';

/** A payload the size of a crash event (about 400 bytes), so the floor moves the same bytes. */
const PAD = 'x'.repeat(360);

/**
 * The broker on its own: a publisher and a subscriber client in the bench process, on a topic no
 * service subscribes to (`bench/floor/<run>/…`), QoS 1 both ways like vehicle events. The latency is
 * publish -> subscriber's message on the same monotonic clock as the pipeline figures.
 */
export class FloorProbe {
  readonly hist: Histogram = latencyHistogram();
  private readonly sentAt = new Map<number, number>();
  private seq = 0;
  private received = 0;
  private onReceive: (() => void) | null = null;
  /** Where latencies go: the floor histogram, or a throwaway one during `blast` (queueing, not the floor). */
  private recordInto: Histogram;
  private readonly topic: string;

  private constructor(
    private readonly pub: MqttClient,
    private readonly sub: MqttClient,
    run: string,
  ) {
    this.topic = `bench/floor/${run}/m`;
    this.recordInto = this.hist;
    sub.on('message', (_topic, payload) => {
      const now = performance.now();
      const id = Number(payload.subarray(0, payload.indexOf(0x7c)).toString());
      const t0 = this.sentAt.get(id);
      if (t0 === undefined) return;
      this.sentAt.delete(id);
      recordMs(this.recordInto, now - t0);
      this.received++;
      this.onReceive?.();
    });
  }

  static async connect(url: string): Promise<FloorProbe> {
    const run = randomUUID().slice(0, 8);
    const opts = { protocolVersion: 4 as const, clean: true, reconnectPeriod: 0, connectTimeout: 10_000 };
    const [pub, sub] = await Promise.all([mqtt.connectAsync(url, { ...opts, clientId: `bench-floor-pub-${run}` }), mqtt.connectAsync(url, { ...opts, clientId: `bench-floor-sub-${run}` })]);
    const probe = new FloorProbe(pub, sub, run);
    await sub.subscribeAsync(`bench/floor/${run}/#`, { qos: 1 });
    return probe;
  }

  /** One probe message now. */
  ping(): void {
    const id = ++this.seq;
    this.sentAt.set(id, performance.now());
    this.pub.publish(this.topic, `${id}|${PAD}`, { qos: 1 });
  }

  /** Sends `count` messages `ratePerSec` at a time; resolves when all came back or `timeoutMs` passed. */
  async paced(count: number, ratePerSec: number, timeoutMs = 30_000): Promise<{ sent: number; lost: number }> {
    const start = this.received;
    const period = 1000 / ratePerSec;
    const t0 = performance.now();
    for (let i = 0; i < count; i++) {
      const due = t0 + i * period - performance.now();
      if (due > 0) await new Promise((r) => setTimeout(r, due));
      this.ping();
    }
    await this.drain(start + count, timeoutMs);
    return { sent: count, lost: start + count - this.received };
  }

  /**
   * Throughput: `count` QoS 1 messages handed to the client at once (the broker and TCP set the pace);
   * messages per second from the first publish to the last message at the subscriber.
   */
  async blast(count: number, timeoutMs = 60_000): Promise<{ count: number; lost: number; seconds: number; perSec: number }> {
    const hist = latencyHistogram();
    this.recordInto = hist;
    const start = this.received;
    const t0 = performance.now();
    let last = t0;
    const before = this.onReceive;
    this.onReceive = () => (last = performance.now());
    for (let i = 0; i < count; i++) {
      const id = ++this.seq;
      this.sentAt.set(id, performance.now());
      this.pub.publish(this.topic, `${id}|${PAD}`, { qos: 1 });
    }
    await this.drain(start + count, timeoutMs);
    this.onReceive = before;
    this.recordInto = this.hist;
    hist.destroy();
    const got = this.received - start;
    const seconds = (last - t0) / 1000;
    return { count, lost: count - got, seconds, perSec: got / Math.max(seconds, 1e-6) };
  }

  resetHistogram(): void {
    this.hist.reset();
  }

  async close(): Promise<void> {
    await Promise.all([this.pub.endAsync(true), this.sub.endAsync(true)]);
  }

  private async drain(target: number, timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (this.received < target && performance.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    this.sentAt.clear();
  }
}
