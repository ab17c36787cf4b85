import mqtt, { type IPublishPacket, type MqttClient, type Packet } from 'mqtt';
import { topics } from '../../../protocol/index.js';
import type { EventRecord, Ledger } from './ledger.js';

export interface CarOptions {
  vin: string;
  index: number;
  url: string;
  ledger: Ledger;
  /** Subscribe to the car's commands at QoS 1, as a TCU does (the broker then queues commands too). */
  subscribeCommands: boolean;
  reconnectPeriodMs: number;
  /** MQTT keep-alive in seconds (30): a broker closes a client silent for 1.5x its own maximum. */
  keepaliveS?: number;
}

const EVENT_ID = /"eventId":"([^"]+)"/;

/**
 * A car as the contract describes it, kept to what the accounting needs: MQTT.js, MQTT 3.1.1, a
 * persistent session (`clean: false`, client id fixed per VIN) and reconnects to the same URL. Its
 * unacknowledged QoS 1 events stay in MQTT.js's outgoing store across reconnects and are re-sent on
 * the next CONNACK; the ledger counts every PUBLISH written to the socket, so re-sends are visible.
 */
export class ChaosCar {
  readonly client: MqttClient;
  connects = 0;
  /** PUBACK packets read off this car's socket: the callbacks' acknowledgements cannot exceed them. */
  pubacksOnWire = 0;
  readonly vin: string;

  constructor(private readonly opts: CarOptions) {
    this.vin = opts.vin;
    this.client = mqtt.connect(opts.url, {
      clientId: `chaos-${opts.vin}`,
      clean: false,
      protocolVersion: 4,
      reconnectPeriod: opts.reconnectPeriodMs,
      connectTimeout: 5_000,
      keepalive: opts.keepaliveS ?? 30,
    });
    this.client.on('connect', () => {
      this.connects++;
    });
    // MQTT.js emits `error` on refused connections while it keeps reconnecting: not fatal here.
    this.client.on('error', () => {});
    this.client.on('packetsend', (packet: Packet) => {
      if (packet.cmd !== 'publish') return;
      const payload = (packet as IPublishPacket).payload;
      const id = EVENT_ID.exec(typeof payload === 'string' ? payload : payload.toString('utf8'))?.[1];
      if (id) opts.ledger.markTransmitted(id);
    });
    this.client.on('packetreceive', (packet: Packet) => {
      if (packet.cmd === 'puback') this.pubacksOnWire++;
    });
  }

  /** Resolves at the first CONNACK (and the commands subscription, if any), or rejects after `timeoutMs`. */
  async ready(timeoutMs: number): Promise<void> {
    if (!this.client.connected) {
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`car ${this.vin} not connected to ${this.opts.url} within ${timeoutMs} ms`)), timeoutMs);
        this.client.once('connect', () => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    if (this.opts.subscribeCommands) await this.client.subscribeAsync(topics.commands(this.vin), { qos: 1 });
  }

  /** Hands one event to MQTT.js at QoS 1 (stored offline while disconnected); the ledger hears the callback. */
  publish(rec: EventRecord, topic: string, payload: string): void {
    this.opts.ledger.markSent(rec);
    this.client.publish(topic, payload, { qos: 1 }, (err) => this.opts.ledger.markCallback(rec, err ?? undefined));
  }

  /** Ends the client without waiting for anything outstanding (the run's deadline has passed). */
  async end(): Promise<void> {
    await this.client.endAsync(true).catch(() => {});
  }
}
