import { randomUUID } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import { isVin, topics, type EventOf, type EventType, type MaybePosition } from '../../protocol/index.js';
import { buildEvent } from '../../simulator/car/payloads.js';

/** Cars for console e2e tests: one MQTT client that publishes contract events for any VIN, QoS 1. */
export interface Fleet {
  fire<T extends EventType>(
    type: T,
    vin: string,
    data: EventOf<T>['data'],
    opts?: { position?: MaybePosition; occupants?: number; test?: boolean },
  ): Promise<string>;
  close(): Promise<void>;
}

export async function connectFleet(mqttUrl: string): Promise<Fleet> {
  const client: MqttClient = await mqtt.connectAsync(mqttUrl, { protocolVersion: 4, clientId: `console-e2e-${randomUUID().slice(0, 8)}` });
  return {
    async fire(type, vin, data, opts = {}) {
      const eventId = randomUUID();
      const event = buildEvent({
        vin,
        type,
        eventId,
        nowMs: Date.now(),
        position: opts.position === undefined ? { lat: 35.6812, lon: 139.7671, headingDeg: 90, trusted: true } : opts.position,
        data,
        occupants: opts.occupants,
        test: opts.test,
      });
      await client.publishAsync(topics.event(vin, type), JSON.stringify(event), { qos: 1 });
      return eventId;
    },
    async close() {
      await client.endAsync();
    },
  };
}

/** A valid, recognisable VIN per test and index (ISO 3779: no I, O or Q). */
export function testVin(prefix: string, i: number): string {
  const vin = `${prefix}${String(i).padStart(17 - prefix.length, '0')}`;
  if (!isVin(vin)) throw new Error(`not a VIN: ${vin} (no I, O or Q)`);
  return vin;
}
