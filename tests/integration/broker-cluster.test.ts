/**
 * Two embedded aedes brokers sharing one Redis (services/broker/cluster.ts) act as one broker: a publish
 * on B reaches a subscriber on A, and a QoS 1 message for an offline persistent session is queued in
 * Redis and delivered when the client comes back, on the other broker. Uses a redis-server of its own:
 * mqemitter-redis pub/sub channels are global to a Redis, so a shared one would mix runs.
 */
import net from 'node:net';
import { Aedes } from 'aedes';
import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connackWritten } from '../../services/broker/conformance.js';
import { Redis } from 'ioredis';
import mqemitterRedis from 'mqemitter-redis';
import { clusterOptions, redisOptionsFromUrl, type BrokerCluster } from '../../services/broker/cluster.js';
import { useFastCodec } from '../../services/broker/cluster-codec.js';
import { startRedisServer, type RedisServer } from '../helpers/redis.js';
import { waitFor } from '../helpers/store-contract.js';

interface Node {
  broker: Aedes;
  server: net.Server;
  cluster: BrokerCluster;
  url: string;
}

let redis: RedisServer;
const nodes: Node[] = [];
const clients: MqttClient[] = [];

async function startNode(redisUrl: string): Promise<Node> {
  const cluster = await clusterOptions(redisUrl);
  // The embedded broker's [MQTT-3.2.0-1] guard (conformance.ts): without it a car reconnecting to a
  // persistent session here got a queued command before its CONNACK under load, and no CONNACK it took.
  const broker = await Aedes.createBroker({ mq: cluster.mq, persistence: cluster.persistence, authorizeForward: (c, p) => (connackWritten(c) ? p : null) });
  const server = net.createServer(broker.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const node = { broker, server, cluster, url: `mqtt://127.0.0.1:${(server.address() as net.AddressInfo).port}` };
  nodes.push(node);
  return node;
}

/**
 * A loaded CI machine (every test file at once, on two cores) once took over 5 s for a CONNACK here: the
 * timeout is generous, and a failure names the client that did not get one.
 */
async function client(url: string, options: IClientOptions): Promise<MqttClient> {
  const c = await connectAsync(url, { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 20_000, ...options }).catch((e: Error) => {
    throw new Error(`${options.clientId ?? 'client'} on ${url}: ${e.message}`);
  });
  clients.push(c);
  return c;
}

beforeAll(async () => {
  redis = await startRedisServer();
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.endAsync(true).catch(() => {})));
  for (const n of nodes) {
    await new Promise<void>((r) => n.broker.close(() => r()));
    await new Promise<void>((r) => n.server.close(() => r()));
    await n.cluster.close();
  }
  await redis?.close();
});

describe('embedded brokers clustered through Redis', () => {
  it('delivers across brokers, and queues QoS 1 for an offline session until it reconnects elsewhere', async () => {
    const [a, b] = [await startNode(redis.url), await startNode(redis.url)];
    const topic = 'v1/vehicles/JHMZE2H59ES000001/commands';
    const received: string[] = [];
    const onMessage = (_t: string, payload: Buffer) => received.push(payload.toString());

    // The car: persistent session on A, QoS 1 subscription to its command topic.
    const car = await client(a.url, { clientId: 'car-JHMZE2H59ES000001', clean: false });
    car.on('message', onMessage);
    const granted = await car.subscribeAsync(topic, { qos: 1 });
    expect(granted[0]?.qos).toBe(1);
    // B learns the subscription through Redis (aedes-persistence-redis broadcasts it).
    const persistenceB = b.cluster.persistence as unknown as { subscriptionsByTopic(t: string): Promise<{ clientId: string }[]> };
    await expect.poll(async () => (await persistenceB.subscriptionsByTopic(topic)).some((s) => s.clientId === 'car-JHMZE2H59ES000001'), { timeout: 5_000, interval: 20 }).toBe(true);

    // The backend publishes on B; the car on A gets it.
    const backend = await client(b.url, { clientId: 'backend-1', clean: true });
    await backend.publishAsync(topic, 'm1', { qos: 1 });
    await waitFor(() => received.includes('m1'), 5_000, 'm1 on broker A');

    // The car goes away; a QoS 1 command is published meanwhile.
    await car.endAsync();
    await backend.publishAsync(topic, 'm2', { qos: 1 });

    // It comes back on the other broker with the same client id and gets the queued command.
    const back = await client(b.url, { clientId: 'car-JHMZE2H59ES000001', clean: false });
    back.on('message', onMessage);
    await waitFor(() => received.includes('m2'), 5_000, 'queued m2 on broker B');
    expect(received).toEqual(['m1', 'm2']);
  });

  it('a retained message published on one broker is served by the other (lockout topic)', async () => {
    const [a, b] = nodes.length >= 2 ? [nodes[0]!, nodes[1]!] : [await startNode(redis.url), await startNode(redis.url)];
    const topic = 'v1/vehicles/JHMZE2H59ES000002/lockout';
    const backend = await client(b.url, { clientId: 'backend-2', clean: true });
    await backend.publishAsync(topic, JSON.stringify({ v: 1, active: true }), { qos: 1, retain: true });
    const car = await client(a.url, { clientId: 'car-JHMZE2H59ES000002', clean: true });
    const got: { payload: string; retain: boolean }[] = [];
    car.on('message', (_t, payload, packet) => got.push({ payload: payload.toString(), retain: packet.retain }));
    await car.subscribeAsync(topic, { qos: 1 });
    await waitFor(() => got.length > 0, 5_000, 'retained lockout on broker A');
    expect(got[0]).toEqual({ payload: JSON.stringify({ v: 1, active: true }), retain: true });
  });

  it('[MQTT-3.1.2-6] cleanIncoming drops one client\'s inbound QoS 2 entries, and no one else\'s', async () => {
    const node = nodes[0] ?? (await startNode(redis.url));
    type Incoming = {
      incomingStorePacket(c: { id: string }, p: object): Promise<void>;
      incomingGetPacket(c: { id: string }, p: { messageId: number }): Promise<unknown>;
      cleanIncoming(c: { id: string }): Promise<void>;
    };
    const persistence = node.cluster.persistence as unknown as Incoming;
    const packet = (messageId: number) => ({ cmd: 'publish', topic: 't', payload: Buffer.from('x'), qos: 2, retain: false, dup: false, messageId });
    const odd = { id: 'car*' }; // glob characters must not widen the match
    const other = { id: 'car-1' };
    for (const c of [odd, other]) for (const id of [1, 2]) await persistence.incomingStorePacket(c, packet(id));
    await persistence.cleanIncoming(odd);
    await expect(persistence.incomingGetPacket(odd, { messageId: 1 })).rejects.toThrow(/no such packet/);
    await expect(persistence.incomingGetPacket(odd, { messageId: 2 })).rejects.toThrow(/no such packet/);
    await expect(persistence.incomingGetPacket(other, { messageId: 1 })).resolves.toMatchObject({ messageId: 1 });
  });

  it('a broker on msgpackr and one on stock mqemitter-redis (msgpack-lite) understand each other, and neither hears its own message twice', async () => {
    const { MQEmitterRedisPrefix } = mqemitterRedis as unknown as { MQEmitterRedisPrefix: new (prefix: string, opts: object) => Emitter };
    type Packet = { topic: string; payload: Buffer; qos: number; retain: boolean; messageId?: number | null };
    interface Emitter {
      on(topic: string, cb: (p: Packet, done: () => void) => void, ready?: () => void): void;
      emit(p: Packet, done?: (err?: unknown) => void): void;
      close(cb: () => void): void;
    }
    const options = redisOptionsFromUrl(redis.url);
    const stock = new MQEmitterRedisPrefix('codec:', options);
    const fast = new MQEmitterRedisPrefix('codec:', options);
    expect(useFastCodec(fast)).toBe(true);
    expect(useFastCodec({})).toBe(false); // not the internals it was written against: left alone
    const heard = { stock: [] as Packet[], fast: [] as Packet[] };
    await Promise.all(
      (['stock', 'fast'] as const).map((name) => new Promise<void>((ready) => (name === 'stock' ? stock : fast).on('vehicles/+/telemetry', (p, done) => { heard[name].push(p); done(); }, ready))),
    );
    const payload = Buffer.from('{"speedKmh":42}');
    fast.emit({ topic: 'vehicles/A/telemetry', payload, qos: 1, retain: false, messageId: undefined });
    stock.emit({ topic: 'vehicles/B/telemetry', payload, qos: 0, retain: true });
    await waitFor(() => heard.stock.length === 2 && heard.fast.length === 2);
    await new Promise((r) => setTimeout(r, 100)); // an echo counted twice would come in this time
    for (const name of ['stock', 'fast'] as const) {
      expect(heard[name].map((p) => p.topic).sort()).toEqual(['vehicles/A/telemetry', 'vehicles/B/telemetry']);
      for (const p of heard[name]) expect(Buffer.from(p.payload).equals(payload)).toBe(true);
      // msgpack-lite writes undefined as nil; so does the fast codec
      expect(heard[name].find((p) => p.topic === 'vehicles/A/telemetry')).toMatchObject({ qos: 1, retain: false, messageId: null });
    }
    await Promise.all([stock, fast].map((e) => new Promise<void>((r) => e.close(() => r()))));
  });

  it('a message on the cluster\'s channels that is not an emitter packet is reported and dropped; the broker keeps serving', async () => {
    const { MQEmitterRedisPrefix } = mqemitterRedis as unknown as { MQEmitterRedisPrefix: new (prefix: string, opts: object) => GarbageEmitter };
    interface GarbageEmitter {
      on(topic: string, cb: (p: { topic: string }, done: () => void) => void, ready?: () => void): void;
      emit(p: { topic: string; payload: Buffer }): void;
      close(cb: () => void): void;
      state: NodeJS.EventEmitter;
    }
    const fast = new MQEmitterRedisPrefix('garbage:', redisOptionsFromUrl(redis.url));
    useFastCodec(fast);
    const errors: string[] = [];
    fast.state.on('error', (err: Error) => errors.push(err.message));
    const heard: string[] = [];
    await new Promise<void>((ready) => fast.on('vehicles/+/telemetry', (p, done) => { heard.push(p.topic); done(); }, ready));
    const raw = new Redis(redis.url);
    await raw.publish('garbage:vehicles/X/telemetry', Buffer.from([0xc1])); // never valid MessagePack
    await raw.publish('garbage:vehicles/X/telemetry', '{"json":"not msgpack"}');
    fast.emit({ topic: 'vehicles/Y/telemetry', payload: Buffer.from('{}') });
    await waitFor(() => heard.length === 1 && errors.length === 2);
    expect(heard).toEqual(['vehicles/Y/telemetry']);
    expect(errors.every((m) => m.startsWith('cluster message on garbage:vehicles/X/telemetry dropped'))).toBe(true);
    raw.disconnect();
    await new Promise<void>((r) => fast.close(() => r()));
  });

  it('parses redis URLs into plain ioredis options', () => {
    expect(redisOptionsFromUrl('redis://127.0.0.1:6380/4')).toEqual({ host: '127.0.0.1', port: 6380, db: 4 });
    expect(redisOptionsFromUrl('rediss://user:p%40ss@cache:6379')).toEqual({ host: 'cache', port: 6379, db: 0, username: 'user', password: 'p@ss', tls: {} });
    expect(() => redisOptionsFromUrl('http://x')).toThrow(/redis:\/\//);
  });

  it('fails at once when Redis does not answer', async () => {
    const started = performance.now();
    await expect(clusterOptions('redis://127.0.0.1:1')).rejects.toThrow(/did not answer/);
    expect(performance.now() - started).toBeLessThan(3_000);
  });
});
