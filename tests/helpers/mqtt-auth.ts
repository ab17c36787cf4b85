import { connect as netConnect } from 'node:net';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';

let counter = 0;

/** Connects (no retries); resolves with the client, or with the CONNACK code the broker refused it with. */
export async function tryConnect(url: string, options: IClientOptions = {}): Promise<{ client: MqttClient } | { refused: number }> {
  try {
    const client = await mqtt.connectAsync(url, { protocolVersion: 4, clientId: `auth-test-${process.pid}-${++counter}`, reconnectPeriod: 0, connectTimeout: 5_000, ...options });
    client.on('error', () => {});
    return { client };
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'number') return { refused: code };
    throw err;
  }
}

/** The return codes of one SUBSCRIBE's SUBACK, in filter order (128 = refused). */
export async function granted(client: MqttClient, filters: string[]): Promise<number[]> {
  try {
    const result = await client.subscribeAsync(filters, { qos: 1 });
    return result.map((g) => g.qos);
  } catch (err) {
    // MQTT.js rejects a SUBACK holding any 0x80, with the packet.
    const codes = (err as { packet?: { granted?: number[] } }).packet?.granted;
    if (codes) return codes;
    throw err;
  }
}

/**
 * Sends hand-made MQTT 3.1.1 CONNECT bytes (MQTT.js refuses to send some of what is tested here, such
 * as an empty client id with CleanSession=0) and resolves with the CONNACK return code.
 */
export function rawConnack(port: number, opts: { clientId: string; clean: boolean }): Promise<number> {
  const id = Buffer.from(opts.clientId, 'utf8');
  const variable = Buffer.from([0, 4, 0x4d, 0x51, 0x54, 0x54, 4, opts.clean ? 0x02 : 0x00, 0, 30, id.length >> 8, id.length & 0xff]);
  const body = Buffer.concat([variable, id]);
  const packet = Buffer.concat([Buffer.from([0x10, body.length]), body]);
  return new Promise((resolve, reject) => {
    const socket = netConnect(port, '127.0.0.1', () => socket.write(packet));
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('no CONNACK within 5 s'));
    }, 5_000);
    socket.once('data', (data: Buffer) => {
      clearTimeout(timer);
      socket.destroy();
      if (data[0] !== 0x20 || data.length < 4) return reject(new Error(`not a CONNACK: ${data.toString('hex')}`));
      resolve(data[3]!);
    });
    socket.once('error', reject);
  });
}
