import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import { Readable } from 'node:stream';
import { Aedes, type AedesOptions, type Client } from 'aedes';
import type { Logger } from 'pino';
import { isBackendOnlyTopic } from '../../protocol/index.js';
import { guardSocket } from './guarded-socket.js';

export interface EmbeddedBrokerOptions {
  host: string;
  port: number;
  /** Largest MQTT packet a client may send (remaining length). */
  maxPacketBytes: number;
  logger: Logger;
  /** Shared subscriptions, retained messages and queues across brokers (issue 3: mqemitter-redis). */
  cluster?: Pick<AedesOptions, 'mq' | 'persistence'>;
}

export interface EmbeddedBroker {
  url: string;
  port: number;
  aedes: Aedes;
  /** What the service logs in with: only it may publish commands, lockouts and dead letters. */
  serviceCredentials: { username: string; password: string };
  stats: { oversizeDropped: number; forbiddenPublishes: number };
  close(): Promise<void>;
}

const SERVICE_USER = 'anshin-service';

/**
 * The embedded default broker: aedes 1.x on MQTT_PORT, with guards against abuse. Cars may publish
 * only on car topics; the backend-only ones (commands, lockout, dead-letter, partners) need the
 * service's credentials, minted per process.
 */
export async function startEmbeddedBroker(opts: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const password = randomBytes(24).toString('base64url');
  const backend = new WeakSet<Client>();
  const stats = { oversizeDropped: 0, forbiddenPublishes: 0 };
  const log = opts.logger.child({ component: 'broker' });

  const aedes = await Aedes.createBroker({
    ...opts.cluster,
    maxTopicLevels: 8, // v1/vehicles/{vin}/events/{type} is five; nothing legitimate is deeper
    maxClientsIdLength: 64,
    authenticate(client, username, pw, done) {
      if (username === SERVICE_USER) {
        const ok = pw?.toString() === password;
        if (ok) backend.add(client);
        return done(null, ok);
      }
      done(null, true);
    },
    authorizePublish(client, packet, done) {
      if (client && !backend.has(client) && isBackendOnlyTopic(packet.topic)) {
        stats.forbiddenPublishes++;
        log.warn({ clientId: client.id, topic: packet.topic }, 'client publish to a backend-only topic refused');
        return done(new Error('backend-only topic'));
      }
      done(null);
    },
  });

  if (!opts.cluster) indexRetained(aedes);

  const server: Server = createServer((socket) => {
    // No Nagle: the service's connection carries every car's telemetry, and with Nagle a crash event
    // waited behind it for the peer's delayed ACK or a full segment (bench, 10,000 cars: 17 ms at p50).
    socket.setNoDelay(true);
    aedes.handle(
      guardSocket(socket, opts.maxPacketBytes, () => {
        stats.oversizeDropped++;
        log.warn({ remote: socket.remoteAddress, max: opts.maxPacketBytes }, 'client dropped: packet over the size limit');
      }),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;

  return {
    url: `mqtt://${opts.host}:${port}`,
    port,
    aedes,
    serviceCredentials: { username: SERVICE_USER, password },
    stats,
    async close() {
      const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await serverClosed;
    },
  };
}

interface RetainedPacket {
  topic: string;
  payload: Buffer;
}
interface RetainedPersistence {
  storeRetained(packet: RetainedPacket, cb?: (err: Error | null) => void): Promise<void> | void;
  createRetainedStreamCombi(patterns: string[]): Readable;
}

/**
 * aedes' memory persistence answers every SUBSCRIBE by testing each retained message against the
 * filter: with one retained status per car, connecting N cars (two exact-topic subscriptions each)
 * costs O(N²). Every car and the service subscribe to exact topics or `+` filters, so exact filters
 * are answered from an index by topic here; a filter with a wildcard still goes to aedes.
 */
function indexRetained(aedes: Aedes): void {
  const persistence = (aedes as unknown as { persistence: RetainedPersistence }).persistence;
  const byTopic = new Map<string, RetainedPacket>();
  const store = persistence.storeRetained.bind(persistence);
  const combi = persistence.createRetainedStreamCombi.bind(persistence);
  persistence.storeRetained = (packet, cb) => {
    if (packet.payload.length === 0) byTopic.delete(packet.topic);
    else byTopic.set(packet.topic, { ...packet });
    return store(packet, cb);
  };
  persistence.createRetainedStreamCombi = (patterns) => {
    if (patterns.some((p) => p.includes('+') || p.includes('#'))) return combi(patterns);
    return Readable.from(patterns.flatMap((p) => byTopic.get(p) ?? []));
  };
}
