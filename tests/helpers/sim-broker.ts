import net from 'node:net';
import { Aedes } from 'aedes';
import { connect, type MqttClient } from 'mqtt';

/** A real aedes broker on a loopback port; `restart()` brings up a fresh one (no sessions) on the same port. */
export interface TestBroker {
  url: string;
  port: number;
  broker: Aedes;
  stop(): Promise<void>;
  restart(): Promise<void>;
}

export interface TestBrokerOptions {
  /** Publishes on matching topics are never authorised, so the publisher gets no PUBACK (in-flight tests). */
  holdPublishes?: (topic: string) => boolean;
}

async function listen(port: number, opts: TestBrokerOptions = {}): Promise<{ broker: Aedes; server: net.Server; port: number }> {
  const hold = opts.holdPublishes;
  const broker = await Aedes.createBroker(hold ? { authorizePublish: (_c, packet, done) => (hold(packet.topic) ? undefined : done(null)) } : {});
  const server = net.createServer(broker.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return { broker, server, port: (server.address() as net.AddressInfo).port };
}

/** `opts` apply to the first broker only; `restart()` brings up a plain one. */
export async function startTestBroker(opts: TestBrokerOptions = {}): Promise<TestBroker> {
  let cur = await listen(0, opts);
  const stopCurrent = async () => {
    await new Promise<void>((r) => cur.broker.close(() => r()));
    await new Promise<void>((r) => cur.server.close(() => r()));
  };
  const tb: TestBroker = {
    url: `mqtt://127.0.0.1:${cur.port}`,
    port: cur.port,
    broker: cur.broker,
    stop: stopCurrent,
    async restart() {
      await stopCurrent();
      cur = await listen(tb.port);
      tb.broker = cur.broker;
    },
  };
  return tb;
}

/** A plain MQTT client playing the backend: records what cars publish, sends commands. */
export interface Recorder {
  client: MqttClient;
  messages: { topic: string; payload: unknown; retain: boolean }[];
  waitFor(pred: (m: { topic: string; payload: unknown; retain: boolean }) => boolean, timeoutMs?: number): Promise<{ topic: string; payload: unknown; retain: boolean }>;
  end(): Promise<void>;
}

export async function startRecorder(url: string, filter = 'v1/#'): Promise<Recorder> {
  const client = connect(url, { protocolVersion: 4, clientId: `rec-${Math.random().toString(36).slice(2)}`, reconnectPeriod: 100 });
  const messages: Recorder['messages'] = [];
  const waiters = new Set<() => void>();
  client.on('message', (topic, buf, packet) => {
    let payload: unknown = buf.toString();
    try {
      payload = JSON.parse(buf.toString());
    } catch {
      /* keep as text */
    }
    messages.push({ topic, payload, retain: packet.retain });
    for (const w of [...waiters]) w();
  });
  client.on('connect', () => void client.subscribe(filter, { qos: 1 }));
  await new Promise<void>((r) => client.once('connect', () => r()));
  await client.subscribeAsync(filter, { qos: 1 });
  return {
    client,
    messages,
    waitFor(pred, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = messages.find(pred);
          if (!hit) return;
          waiters.delete(check);
          clearTimeout(t);
          resolve(hit);
        };
        const t = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`recorder: no matching message within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    end: () => client.endAsync(true),
  };
}
