/**
 * mqemitter-redis with its MessagePack done by msgpackr instead of msgpack-lite.
 *
 * Why: every publish a broker takes (each car's telemetry, once a second) goes through the emitter.
 * msgpack-lite allocates a fresh zero-filled 2 KB buffer for each message it encodes; at 10,000 cars
 * that was 12.7% of the service process and much of its 20% garbage collection (`npm run bench --
 * --modes embedded-redis --cpu-prof`, issue 15). msgpackr writes into a reused buffer and reads without
 * copying: 1.9-2.5 µs against 7.2-7.9 µs to encode a telemetry packet here, 1.6-1.7 against 4.5-4.9 µs
 * to decode (two rounds of 200,000 each, node 20).
 *
 * The wire stays what mqemitter-redis sends: a MessagePack map `{id, msg}` on the channel
 * `<prefix><topic>`, undefined written as nil as msgpack-lite does, so brokers running the stock
 * library and these ones still understand each other (tests/integration/broker-cluster.test.ts).
 */
import { randomUUID } from 'node:crypto';
import { Packr, Unpackr } from 'msgpackr';

/** The parts of mqemitter-redis' MQEmitterRedisPrefix (7.2) this file replaces or calls. */
interface EmitterInternals {
  closed?: boolean;
  _pubSubPrefix: string;
  _onError(err?: unknown): void;
  _emit(msg: object): void;
  _ignoredTopicsSet: Set<string>;
  _cache: { get(key: string): unknown; set(key: string, value: true): void };
  pubConn: { publish(channel: string, message: Buffer): Promise<unknown> };
  subConn: NodeJS.EventEmitter;
  emit(packet: { topic: string }, done?: (err?: unknown) => void): void;
}

interface WirePacket {
  id: string;
  msg: { topic: string };
}

const packr = new Packr({ useRecords: false, encodeUndefinedAsNil: true });
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true });

/**
 * Swaps the codec of one MQEmitterRedisPrefix in place; everything else (connections, LRU, wildcards)
 * is the library's. Returns false, and leaves the library as it is, when its internals are not the
 * ones this was written against (an upgrade of mqemitter-redis): slower, never wrong.
 */
export function useFastCodec(emitter: object): boolean {
  const mq = emitter as Partial<EmitterInternals>;
  if (!hasInternals(mq)) return false;
  // Ids only have to be unique across the cluster for a minute (the library's dedupe LRU).
  const idBase = randomUUID();
  let counter = 0;

  mq.emit = (packet, done) => {
    const finish = done ?? ((err?: unknown) => mq._onError(err));
    if (mq.closed) {
      finish(new Error('mqemitter-redis is closed'));
      return;
    }
    const topic = mq._pubSubPrefix + packet.topic;
    const body = packr.pack({ id: `${idBase}.${(counter += 1)}`, msg: { ...packet, topic } });
    mq.pubConn.publish(topic, body).then(() => finish(), finish);
  };

  const receive = (channel: Buffer, body: Buffer) => {
    if (mq._ignoredTopicsSet.has(channel.toString('utf8'))) return;
    let packet: WirePacket;
    try {
      packet = unpackr.unpack(body) as WirePacket;
      if (typeof packet?.id !== 'string' || typeof packet.msg?.topic !== 'string') throw new Error('not an mqemitter-redis packet');
    } catch (err) {
      // Something else published on the broker's channels: reported (cluster.ts logs it), never thrown
      // out of the Redis client's event handler, where the stock library's decode would end the process.
      mq._onError(new Error(`cluster message on ${channel.toString('utf8')} dropped: ${(err as Error).message}`));
      return;
    }
    if (!mq._cache.get(packet.id)) mq._emit(packet.msg);
    mq._cache.set(packet.id, true);
  };
  mq.subConn.removeAllListeners('messageBuffer');
  mq.subConn.removeAllListeners('pmessageBuffer');
  mq.subConn.on('messageBuffer', (channel: Buffer, body: Buffer) => receive(channel, body));
  mq.subConn.on('pmessageBuffer', (_pattern: Buffer, channel: Buffer, body: Buffer) => receive(channel, body));
  return true;
}

function hasInternals(mq: Partial<EmitterInternals>): mq is EmitterInternals {
  return (
    typeof mq._pubSubPrefix === 'string' &&
    typeof mq._onError === 'function' &&
    typeof mq._emit === 'function' &&
    mq._ignoredTopicsSet instanceof Set &&
    typeof mq._cache?.get === 'function' &&
    typeof mq.pubConn?.publish === 'function' &&
    typeof mq.subConn?.on === 'function'
  );
}
