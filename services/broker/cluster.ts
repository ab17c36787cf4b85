/**
 * Options that let several embedded aedes brokers act as one MQTT broker through a shared Redis:
 * `mq` (mqemitter-redis) fans every publish out to all brokers over Redis pub/sub, and `persistence`
 * (aedes-persistence-redis) keeps sessions, subscriptions, QoS 1/2 queues for offline clients, retained
 * messages and wills in Redis, so a car that reconnects to another instance gets what was queued for it.
 *
 *   const cluster = await clusterOptions(process.env.REDIS_URL);
 *   const broker = await Aedes.createBroker({ mq: cluster.mq, persistence: cluster.persistence });
 *   ...
 *   await new Promise((r) => broker.close(r));   // closes cluster.mq as well
 *   await cluster.close();                        // then the persistence (idempotent)
 *
 * Versions: aedes 1.x needs an async persistence. aedes-persistence-redis 11.2.x is what aedes 1.2
 * declares as its peer (12.x is outside that range); its main export wraps the async class in a callback
 * adapter, so the async class (`asyncPersistence.js`) is loaded directly and extended with what aedes 1.2
 * expects of it: Readable streams and `cleanIncoming`. Both libraries use their own ioredis 5; they get
 * plain ioredis options parsed here from the URL (the persistence a connection made here with its ioredis).
 */
import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import mqemitterRedis from 'mqemitter-redis';
import { useFastCodec } from './cluster-codec.js';

type MQEmitterRedis = ReturnType<typeof mqemitterRedis>;

/** What aedes calls on a persistence, as far as this file touches it; the rest is aedes' business. */
interface AedesAsyncPersistence {
  setup(broker: unknown): Promise<void>;
  addSubscriptions(client: unknown, subs: unknown[]): Promise<unknown>;
  destroy(): Promise<void>;
  createRetainedStreamCombi(patterns: string[]): AsyncIterable<unknown> | Iterable<unknown>;
  outgoingStream(client: unknown): AsyncIterable<unknown> | Iterable<unknown>;
  streamWill(brokers?: unknown): AsyncIterable<unknown> | Iterable<unknown>;
  getClientList(topic: string): AsyncIterable<unknown> | Iterable<unknown>;
}

export interface RedisConnectOptions {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db: number;
  tls?: object;
  keyPrefix?: string;
}

/** The few calls made here on aedes-persistence-redis' own ioredis 5 client. */
interface PersistenceRedis {
  scanStream(options: { match: string; count: number }): AsyncIterable<string[]>;
  del(...keys: string[]): Promise<number>;
  disconnect(): void;
  on(event: 'error', listener: (err: Error) => void): unknown;
}

const require = createRequire(import.meta.url);
const persistencePath = require.resolve('aedes-persistence-redis/asyncPersistence.js');
const AsyncRedisPersistence = require(persistencePath) as new (
  opts: { conn: PersistenceRedis; maxSessionDelivery?: number },
) => AedesAsyncPersistence;
/** The ioredis that aedes-persistence-redis itself was built and tested with (5.x). */
const PersistenceIORedis = createRequire(persistencePath)('ioredis') as new (options: RedisConnectOptions) => PersistenceRedis;
/**
 * aedes 1.2 pipes the retained-message stream (`stream.pipe`, lib/handlers/subscribe.js), while
 * aedes-persistence-redis 11.2 returns async generators there; aedes' own memory persistence returns
 * `Readable.from(...)`. Do the same for every stream method (without it, a SUBSCRIBE crashes the process
 * with "stream.pipe is not a function"). `setup` stays the base class' async function, which aedes checks.
 */
class StreamingRedisPersistence extends AsyncRedisPersistence {
  private readonly adding = new WeakMap<object, Promise<unknown>>();

  /**
   * aedes 1.2 calls addSubscriptions once per topic of a SUBSCRIBE, each time with the packet's whole
   * list (lib/handlers/subscribe.js storeSubscriptions); aedes-persistence's broadcast keys its waiter by
   * the first topic, so the second call replaces the first's waiter and a multi-topic SUBSCRIBE on a
   * persistent session never gets its SUBACK. Calls for the same list share one store.
   */
  override addSubscriptions(client: unknown, subs: unknown[]): Promise<unknown> {
    let pending = this.adding.get(subs);
    if (!pending) {
      pending = super.addSubscriptions(client, subs).finally(() => this.adding.delete(subs));
      this.adding.set(subs, pending);
    }
    return pending;
  }

  constructor(
    private readonly db: PersistenceRedis,
    private readonly keyPrefix: string,
  ) {
    super({ conn: db });
  }

  /**
   * [MQTT-3.1.2-6]: a clean-session CONNECT discards the session's inbound QoS 2 dedup entries, or the
   * client's first new QoS 2 message reusing an old messageId is acknowledged and dropped
   * (GHSA-p8r9-qf8w-p73r). aedes calls this when present; aedes-persistence-redis 11.2 lacks it.
   */
  async cleanIncoming(client: { id: string }): Promise<void> {
    // Key layout of aedes-persistence-redis: incoming:<encodeURIComponent(clientId)>:<messageId>.
    const match = `${this.keyPrefix}incoming:${globEscape(encodeURIComponent(client.id))}:*`;
    for await (const keys of this.db.scanStream({ match, count: 200 })) {
      // SCAN returns full names; ioredis adds keyPrefix again on DEL, so strip it.
      if (keys.length > 0) await this.db.del(...keys.map((k) => k.slice(this.keyPrefix.length)));
    }
  }

  override createRetainedStreamCombi(patterns: string[]): Readable {
    return Readable.from(super.createRetainedStreamCombi(patterns));
  }
  override outgoingStream(client: unknown): Readable {
    return Readable.from(super.outgoingStream(client));
  }
  override streamWill(brokers?: unknown): Readable {
    return Readable.from(super.streamWill(brokers));
  }
  override getClientList(topic: string): Readable {
    return Readable.from(super.getClientList(topic));
  }
}

const { MQEmitterRedisPrefix } = mqemitterRedis as unknown as {
  MQEmitterRedisPrefix: new (prefix: string, opts: RedisConnectOptions) => MQEmitterRedis;
};

export interface ClusterOptionsConfig {
  /** Prefix of the broker's Redis keys and pub/sub channels (apart from the store's `anshin:`). */
  prefix?: string;
  /** Redis trouble seen by the emitter (an unhandled one would otherwise crash the process). */
  onError?: (err: unknown) => void;
}

export interface BrokerCluster {
  /** Pass as aedes `mq`. */
  mq: MQEmitterRedis;
  /** Pass as aedes `persistence`. */
  persistence: AedesAsyncPersistence & { cleanIncoming(client: { id: string }): Promise<void> };
  /** Releases the Redis connections; call after `broker.close()`. */
  close(): Promise<void>;
}

/** Checks that Redis answers (so a bad REDIS_URL fails start-up at once), then builds both. */
export async function clusterOptions(redisUrl: string, config: ClusterOptionsConfig = {}): Promise<BrokerCluster> {
  const prefix = config.prefix ?? 'anshin:mqtt:';
  await checkReachable(redisUrl);
  const connection = redisOptionsFromUrl(redisUrl);

  const mq = new MQEmitterRedisPrefix(prefix, connection);
  const onError = config.onError ?? (() => {});
  if (!useFastCodec(mq)) onError(new Error('mqemitter-redis internals changed: its own msgpack-lite codec stays in use'));
  // mqemitter-redis re-emits connection errors on `state`; without a listener EventEmitter throws.
  (mq as unknown as { state: NodeJS.EventEmitter }).state.on('error', onError);
  const db = new PersistenceIORedis({ ...connection, keyPrefix: prefix });
  db.on('error', onError);
  const persistence = new StreamingRedisPersistence(db, prefix);

  let closing: Promise<void> | null = null;
  return {
    mq,
    persistence,
    close() {
      closing ??= (async () => {
        // broker.close() closed mq already; close it here too in case no broker was ever made.
        await new Promise<void>((resolve) => mq.close(() => resolve()));
        await persistence.destroy().catch(onError);
      })();
      return closing;
    },
  };
}

/** Where an embedded broker's cluster lives: REDIS_URL and the prefix of its keys and channels. */
export interface ClusterAt {
  redisUrl: string;
  prefix: string;
}

/** The embedded broker's cluster (on the service's loop or on its thread), its Redis trouble logged as warnings. */
export function brokerCluster(at: ClusterAt, logger: Logger): Promise<BrokerCluster> {
  return clusterOptions(at.redisUrl, { prefix: at.prefix, onError: (err) => logger.warn({ err }, 'broker cluster: redis trouble') });
}

async function checkReachable(url: string): Promise<void> {
  const probe = new Redis(url, { lazyConnect: true, connectTimeout: 2_000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => {});
  try {
    await probe.connect();
    await probe.ping();
  } catch (err) {
    throw new Error(`Redis at ${redactUrl(url)} did not answer: ${(err as Error).message}`, { cause: err });
  } finally {
    probe.disconnect();
  }
}

/** `redis://[user][:password]@host:port[/db]` (or `rediss://` for TLS) as plain ioredis options. */
export function redisOptionsFromUrl(url: string): RedisConnectOptions {
  const u = new URL(url);
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new Error(`not a redis:// URL: ${redactUrl(url)}`);
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0) throw new Error(`bad database number in ${redactUrl(url)}`);
  return {
    host: u.hostname || '127.0.0.1',
    port: u.port ? Number(u.port) : 6379,
    db,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}
