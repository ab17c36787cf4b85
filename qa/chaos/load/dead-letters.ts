import mqtt, { type MqttClient } from 'mqtt';
import { topics, type DeadLetter } from '../../../protocol/index.js';

/** A listener on `v1/dead-letter` that keeps every letter with its arrival time and decoded payload. */
export class DeadLetterWatch {
  readonly letters: Array<{ at: number; letter: DeadLetter; payload: string }> = [];
  private constructor(private readonly client: MqttClient) {
    client.on('message', (_topic, buf) => {
      const at = performance.now();
      try {
        const letter = JSON.parse(buf.toString()) as DeadLetter;
        this.letters.push({ at, letter, payload: Buffer.from(letter.payload, 'base64').toString('utf8') });
      } catch {
        // not a letter of the contract: ignore
      }
    });
    client.on('error', () => {});
  }

  static async connect(url: string): Promise<DeadLetterWatch> {
    const client = await mqtt.connectAsync(url, { protocolVersion: 4, clientId: `chaos-dead-letters-${process.pid}`, clean: true, reconnectPeriod: 250, connectTimeout: 5_000 });
    await client.subscribeAsync(topics.deadLetter, { qos: 1 });
    return new DeadLetterWatch(client);
  }

  /** The first letter whose payload holds `marker` (a poison payload's unique event id). */
  find(marker: string) {
    return this.letters.find((l) => l.payload.includes(marker));
  }

  async close(): Promise<void> {
    await this.client.endAsync(true).catch(() => {});
  }
}
