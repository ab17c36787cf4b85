import { readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { createServer as createTlsServer } from 'node:tls';
import { Aedes, type AedesOptions, type AedesPublishPacket, type Client } from 'aedes';
import type { Logger } from 'pino';
import { inboundFilters, isBackendOnlyTopic } from '../../protocol/topics.js';
import type { Outbound } from '../incident/outbox-relay.js';
import { BrokerAuth } from './broker-auth.js';
import { Conformance, connackWritten } from './conformance.js';
import { guardSocket } from './guarded-socket.js';
import type { BrokerAuthOptions } from './vehicle-auth.js';

/** v1/vehicles/{vin}/events/{type} is five levels; nothing legitimate is deeper. */
const MAX_TOPIC_LEVELS = 8;

export interface EmbeddedBrokerOptions {
  host: string;
  port: number;
  /** Largest MQTT packet a client may send (remaining length). */
  maxPacketBytes: number;
  /** MQTT_MAX_CONNECTIONS; default: 80% of this process's file-descriptor limit. */
  maxConnections?: number;
  /** MQTT_MAX_KEEPALIVE_S: a client silent for 1.5x this is closed, whatever keep-alive it asked for. */
  maxKeepaliveSeconds: number;
  logger: Logger;
  /** Shared subscriptions, retained messages and queues across brokers (issue 3: mqemitter-redis). */
  cluster?: Pick<AedesOptions, 'mq' | 'persistence'>;
  /** AUTH=on (issue 11): credentials, ACL and client-id rules (acl.ts); absent = AUTH off, anyone connects. */
  auth?: BrokerAuthOptions;
  /** MQTT over TLS beside plain MQTT (MQTT_TLS_PORT; TLS_CERT / TLS_KEY as PEM). Port 0: any free port. */
  tls?: { port: number; cert: string | Buffer; key: string | Buffer };
}

/** Sees a car publish as it arrives (before it is ingested). */
export type InboundListener = (topic: string, payload: Buffer, clientId: string | null, packet: { qos: 0 | 1 | 2; retain: boolean }) => void;

/** Where a car publish came from: what the trace recorder writes beside it. */
export interface Arrival {
  clientId: string | null;
  qos: 0 | 1 | 2;
  retain: boolean;
}

/** Takes one car publish on a backend topic; resolves once it is committed or dead-lettered. */
export type BrokerIntake = (topic: string, payload: Buffer, arrival: Arrival) => Promise<void>;

/** Counters of what the broker's guards refused or closed. */
export interface BrokerStats {
  oversizeDropped: number;
  forbiddenPublishes: number;
  refusedConnections: number;
  idleClosed: number;
  /** CONNECTs refused by AUTH (bad credentials, client id, will) and sessions ended by a credential rotation. */
  authRefused: number;
  sessionsRevoked: number;
  /** SUBSCRIBE filters answered 0x80 (refused by the ACL, or deeper than the level limit). */
  refusedSubscriptions: number;
}

/**
 * The embedded broker as the stack sees it, on the service's own event loop (`createEmbeddedBroker`) or
 * on a thread of its own (`startBrokerThread`, the default: MQTT_BROKER_THREAD).
 */
export interface EmbeddedBroker extends Outbound {
  /** `mqtt://host:port`, once listening. */
  readonly url: string;
  readonly port: number;
  /** `mqtts://host:port` of the TLS listener, once listening; null without one. */
  readonly tlsUrl: string | null;
  readonly listening: boolean;
  /** The guards' counters as they are now (on a thread, as of the time it answers). */
  readStats(): Promise<BrokerStats>;
  /**
   * Starts taking cars. Every client publish on a car-to-backend topic (and every will) goes through
   * `intake` before aedes acknowledges it, so a PUBACK means committed (or dead-lettered).
   */
  listen(intake: BrokerIntake): Promise<void>;
  /** Told of every car publish as it arrives, before the intake (the embedded trace recorder). */
  onInbound(listener: InboundListener): () => void;
  /** Told of every other publish through the broker (the service's, other clients', `$SYS`), once aedes has it. */
  onPublished(listener: InboundListener): () => void;
  /** Is this a topic whose publishes go through the intake (car to backend)? */
  takesInbound(topic: string): boolean;
  /** Stops taking connections and publishes and disconnects every client; no will is published. */
  stopAccepting(): Promise<void>;
  close(): Promise<void>;
}

/** The broker on this event loop, with aedes itself at hand (tests, the auth bench). */
export interface InProcessBroker extends EmbeddedBroker {
  aedes: Aedes;
  stats: BrokerStats;
}

/**
 * The embedded default broker: aedes 1.x on MQTT_PORT, with guards against abuse, and the service's
 * ingest in its publish path (issue 9). aedes writes a QoS 1 PUBACK right after `authorizePublish`
 * calls back; holding that callback until the commit is what makes the car's PUBACK mean "committed".
 * A car's publishes on one connection are read in order (aedes reads the next batch once a batch is
 * handled); the intake keeps one car's messages in order and lets cars run concurrently.
 * Created closed: `listen` opens the port once the service can ingest, and `stopAccepting` closes it
 * before the service stops, so no car is acknowledged by a broker whose service cannot commit.
 * Cars may not publish on backend-only topics: the service publishes in-process (`publish`). With
 * `auth` (AUTH=on, issue 11) who connects and what it may publish, subscribe to and receive is the ACL
 * of acl.ts (broker-auth.ts applies it); the refused publish closes the connection before the intake
 * sees it. `tls` adds an MQTTS listener with the same guards and rules.
 */
export async function createEmbeddedBroker(opts: EmbeddedBrokerOptions): Promise<InProcessBroker> {
  const stats: BrokerStats = { oversizeDropped: 0, forbiddenPublishes: 0, refusedConnections: 0, idleClosed: 0, authRefused: 0, sessionsRevoked: 0, refusedSubscriptions: 0 };
  const log = opts.logger.child({ component: 'broker' });
  const maxConnections = opts.maxConnections ?? defaultMaxConnections();
  let intake: BrokerIntake | null = null;
  let draining = false;
  const inboundListeners = new Set<InboundListener>();
  const conformance = new Conformance(MAX_TOPIC_LEVELS);
  const auth = opts.auth ? new BrokerAuth(opts.auth, log, stats) : null;

  const aedes = await Aedes.createBroker({
    ...opts.cluster,
    maxTopicLevels: MAX_TOPIC_LEVELS,
    maxClientsIdLength: 64,
    preConnect: (client, packet, callback) => conformance.preConnect(client, packet, callback),
    authenticate(client, username, password, done) {
      const protocolFault = conformance.connectRefusal(client);
      if (protocolFault) return done(protocolFault as Parameters<typeof done>[0], false);
      // A clear refusal (CONNACK 3, "server unavailable") rather than running out of file descriptors.
      if (aedes.connectedClients >= maxConnections) {
        stats.refusedConnections++;
        log.warn({ maxConnections }, 'connection refused: MQTT_MAX_CONNECTIONS reached');
        return done(Object.assign(new Error('server busy: connection limit reached'), { returnCode: 3 }), false);
      }
      if (!auth) return done(null, true);
      auth.authenticate(client, username, password, done as (err: Error | null, ok: boolean) => void);
    },
    authorizePublish(client, packet, done) {
      // aedes' own rule, kept: nobody publishes on $SYS (a forged `$SYS/<id>/new/clients` disconnects a client).
      if (packet.topic.startsWith('$SYS/')) return done(new Error('$SYS/ topic is reserved'));
      if (client) {
        // AUTH on: the ACL (a will too: the client is still known when it is published). Off: cars may
        // not publish on backend-only topics.
        const refusal = auth ? auth.publishRefusal(client, packet.topic) : isBackendOnlyTopic(packet.topic) ? 'backend-only topic' : null;
        if (refusal) {
          stats.forbiddenPublishes++;
          log.warn({ clientId: client.id, topic: packet.topic, reason: refusal }, 'client publish refused; closing the connection');
          return done(new Error(refusal));
        }
      }
      if (!isInbound(packet.topic)) return done(null);
      // Not ingesting (starting, stopping): refuse, so the car keeps the message and sends it again.
      if (!intake || draining) return done(new Error('not accepting car messages now'));
      const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
      const arrival: Arrival = { clientId: client?.id ?? null, qos: packet.qos, retain: packet.retain };
      for (const listener of inboundListeners) listener(packet.topic, payload, arrival.clientId, arrival);
      intake(packet.topic, payload, arrival).then(
        () => done(null),
        (err: Error) => done(err),
      );
    },
    authorizeSubscribe(client, sub, done) {
      if (conformance.refusedFilter(sub) || (auth && !auth.maySubscribe(client, sub.topic))) {
        stats.refusedSubscriptions++;
        return done(null, null); // SUBACK 0x80 for this filter; the connection stays
      }
      done(null, sub);
    },
    authorizeForward: (client: Client, packet: Parameters<BrokerAuth['forward']>[1]) =>
      !connackWritten(client) ? null : auth ? auth.forward(client, packet) : packet,
  });

  if (!opts.cluster) indexRetained(aedes);

  const sockets = new Set<Socket>();
  const idleMs = opts.maxKeepaliveSeconds * 1500;
  const accept = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    // No Nagle: a crash event must not wait behind other traffic for the peer's delayed ACK.
    socket.setNoDelay(true);
    // [MQTT-3.1.2-24] closes a client silent for 1.5x its keep-alive (aedes does that); a client that
    // asks for none (0) or for more than MQTT_MAX_KEEPALIVE_S gets the server's maximum instead.
    socket.setTimeout(idleMs, () => {
      stats.idleClosed++;
      socket.destroy();
    });
    const client = aedes.handle(
      guardSocket(socket, opts.maxPacketBytes, () => {
        stats.oversizeDropped++;
        log.warn({ remote: socket.remoteAddress, max: opts.maxPacketBytes }, 'client dropped: packet over the size limit');
      }),
    ) as unknown as Client;
    conformance.watch(client);
  };
  const server: Server = createServer(accept);
  const tlsServer = opts.tls ? createTlsServer({ cert: opts.tls.cert, key: opts.tls.key, minVersion: 'TLSv1.2' }, accept) : null;
  tlsServer?.on('tlsClientError', (err, socket) => {
    log.debug({ err: err.message, remote: socket.remoteAddress }, 'TLS handshake failed');
  });
  let tlsPort = opts.tls?.port ?? 0;
  let port = opts.port;
  let listening = false;
  let closed: Promise<void> | null = null;
  let publishing: Promise<void> = Promise.resolve();

  return {
    get url() {
      return `mqtt://${opts.host}:${port}`;
    },
    get port() {
      return port;
    },
    get tlsUrl() {
      return tlsServer && listening ? `mqtts://${opts.host}:${tlsPort}` : null;
    },
    get listening() {
      return listening;
    },
    aedes,
    stats,
    readStats: () => Promise.resolve({ ...stats }),
    async listen(handler) {
      intake = handler;
      port = await listenOn(server, opts.port, opts.host);
      if (tlsServer) tlsPort = await listenOn(tlsServer, tlsPort, opts.host);
      listening = true;
      log.info(
        { maxConnections, maxKeepaliveSeconds: opts.maxKeepaliveSeconds, auth: auth ? 'on' : 'off', ...(tlsServer ? { tls: `mqtts://${opts.host}:${tlsPort}` } : {}) },
        'embedded broker accepting cars',
      );
    },
    onInbound(listener) {
      inboundListeners.add(listener);
      return () => inboundListeners.delete(listener);
    },
    onPublished(listener) {
      const onPublish = (packet: AedesPublishPacket, client: Client | null) => {
        if (isInbound(packet.topic)) return;
        listener(packet.topic, Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload), client?.id ?? null, packet);
      };
      aedes.on('publish', onPublish);
      return () => aedes.off('publish', onPublish);
    },
    takesInbound: isInbound,
    publish(topic, payload, { qos, retain = false }, done) {
      // One at a time, in order. aedes numbers each publish (brokerCounter) and a subscriber drops a
      // packet numbered below one it already got: a retained lockout (stored first, asynchronously)
      // overtaken by the next command would never reach the car or a `v1/#` recorder.
      publishing = publishing.then(
        () =>
          new Promise<void>((resolve) => {
            aedes.publish({ cmd: 'publish', topic, payload: Buffer.from(payload), qos, retain, dup: false }, (err?: Error | null) => {
              resolve();
              done?.(err ?? undefined);
            });
          }),
      );
    },
    async stopAccepting() {
      draining = true;
      listening = false;
      closed ??= closeServers();
      await Promise.all(
        Object.values((aedes as unknown as { clients: Record<string, Client> }).clients).map((client) => new Promise<void>((resolve) => client.close(() => resolve()))),
      );
      for (const socket of sockets) socket.destroy();
    },
    async close() {
      draining = true;
      listening = false;
      closed ??= closeServers();
      for (const socket of sockets) socket.destroy();
      auth?.close();
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await closed;
    },
  };

  function closeServers(): Promise<void> {
    const one = (s: Server) => new Promise<void>((resolve) => (s.listening ? s.close(() => resolve()) : resolve()));
    return Promise.all([one(server), ...(tlsServer ? [one(tlsServer)] : [])]).then(() => {});
  }
}

/** Listens; resolves with the port bound (the one asked for, or a free one for 0). */
function listenOn(server: Server, port: number, host: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

const INBOUND = Object.values(inboundFilters).map((f) => f.split('/'));

/** Does a topic match one of the filters the service takes from cars (`v1/vehicles/+/events/+`, …)? */
export function isInbound(topic: string): boolean {
  const parts = topic.split('/');
  return INBOUND.some((f) => f.length === parts.length && f.every((level, i) => level === '+' || level === parts[i]));
}

/** 80% of the soft limit on open files (Linux), leaving room for Redis, HTTP and feed sockets. */
export function defaultMaxConnections(): number {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
    const soft = Number(line?.split(/\s{2,}/)[1]);
    if (Number.isFinite(soft) && soft > 0) return Math.max(1, Math.floor(soft * 0.8));
  } catch {
    // not Linux: fall through
  }
  return 10_000;
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
