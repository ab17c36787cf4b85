import type { Logger } from 'pino';
import { startWorker } from '../../lib/process/worker.js';
import type { ClusterAt } from './cluster.js';
import type { Arrival, BrokerIntake, BrokerStats, EmbeddedBroker, EmbeddedBrokerOptions, InboundListener } from './embedded-broker.js';
import { isInbound } from './embedded-broker.js';
import { bufferOf, ThreadChannel } from './thread-channel.js';
import type { BrokerAuthOptions } from './vehicle-auth.js';

/** What the worker is started with: the broker's options that can be cloned across the boundary. */
export interface ThreadBrokerData {
  broker: Omit<EmbeddedBrokerOptions, 'logger' | 'cluster' | 'auth'>;
  logLevel: string;
  /** The thread makes its own Redis connections for the cluster (mqemitter-redis, the persistence). */
  cluster?: ClusterAt;
  /** AUTH=on: the accounts and cache settings; vehicle passwords are checked by the service (`verify`). */
  auth?: Omit<BrokerAuthOptions, 'vehicles' | 'now'>;
}

/** Payload bytes as a latin1 string (thread-channel.ts `bytesOf`). */
type Bytes = string;
/** Service to broker thread. */
export type ToThread =
  | { t: 'pub'; id?: number; topic: string; payload: string; qos: 0 | 1; retain: boolean }
  | { t: 'revoked'; vin: string }
  | { t: 'tap'; on: boolean }
  | { t: 'listen' | 'stats' | 'stopAccepting' | 'close'; id: number };
/** Broker thread to service. */
export type FromThread =
  | ({ t: 'in'; id: number; topic: string; payload: Bytes } & Arrival)
  | ({ t: 'published'; topic: string; payload: Bytes } & Arrival)
  | { t: 'verify'; id: number; vin: string; password: Bytes }
  | { t: 'log'; line: string }
  | { t: 'created' }
  | { t: 'failed'; error: string };

export interface ThreadBrokerOptions extends Omit<EmbeddedBrokerOptions, 'cluster'> {
  /** With Redis (issue 3): the thread's brokers share subscriptions, retained messages and queues through it. */
  cluster?: ClusterAt;
}

/**
 * The embedded broker on a worker thread of its own (issue 15, MQTT_BROKER_THREAD=on, the default):
 * aedes, the cars' sockets, MQTT parsing and the sessions get their own event loop and heap, and the
 * service keeps its loop for the commits. What a car sees does not change: its publish on a backend
 * topic is held in the thread until the service answers that it is committed (or dead-lettered), and
 * only then acknowledged; AUTH checks vehicle passwords through the service's credentials. If the
 * thread dies the process fails as it would with aedes on its own loop: the error is thrown here.
 */
export async function startBrokerThread(opts: ThreadBrokerOptions): Promise<EmbeddedBroker> {
  const { logger, cluster, auth, ...broker } = opts;
  const { vehicles, now: _now, ...accounts } = auth ?? ({} as Partial<BrokerAuthOptions>);
  const data: ThreadBrokerData = { broker, logLevel: logger.level, ...(cluster ? { cluster } : {}), ...(auth ? { auth: accounts } : {}) };
  const worker = startWorker(new URL('./broker-thread', import.meta.url), data);
  const inboundListeners = new Set<InboundListener>();
  const publishedListeners = new Set<InboundListener>();
  let intake: BrokerIntake | null = null;
  let created!: (error?: string) => void;
  const ready = new Promise<void>((resolve, reject) => (created = (error) => (error ? reject(new Error(error)) : resolve())));

  const channel = new ThreadChannel<ToThread, FromThread>(worker, (message) => {
    switch (message.t) {
      case 'in': {
        const payload = bufferOf(message.payload);
        const arrival: Arrival = { clientId: message.clientId, qos: message.qos, retain: message.retain };
        for (const listener of inboundListeners) listener(message.topic, payload, arrival.clientId, arrival);
        const committed = intake ? intake(message.topic, payload, arrival) : Promise.reject(new Error('not accepting car messages now'));
        committed.then(
          () => channel.answer(message.id, {}),
          (err: Error) => channel.answer(message.id, { error: err }),
        );
        return;
      }
      case 'published':
        for (const listener of publishedListeners) listener(message.topic, bufferOf(message.payload), message.clientId, message);
        return;
      case 'verify':
        vehicles!.verify(message.vin, bufferOf(message.password)).then(
          (ok) => channel.answer(message.id, { value: ok }),
          (err: Error) => channel.answer(message.id, { error: err }),
        );
        return;
      case 'log':
        relayLog(logger, message.line);
        return;
      case 'created':
        return created();
      case 'failed':
        return created(message.error);
    }
  });
  const stopRevoked = vehicles?.onRevoked((vin) => channel.send({ t: 'revoked', vin }));

  let closing = false;
  let started = false;
  let listening = false;
  worker.on('error', (err) => {
    listening = false;
    channel.failPending(err);
    if (!started) return created(err.message);
    if (closing) return;
    logger.fatal({ err }, 'the broker thread failed');
    // As an exception in aedes on the service's own loop would: the process fails (close-with-grace).
    process.nextTick(() => {
      throw err;
    });
  });
  worker.on('exit', (code) => {
    listening = false;
    channel.failPending(new Error('the broker thread has stopped'));
    if (!started) created(`the broker thread exited (code ${code})`);
    // Not asked to: /readyz now says the broker is down (listening is false).
    else if (!closing) logger.error({ code }, 'the broker thread stopped');
  });
  try {
    await ready;
    started = true;
  } catch (err) {
    closing = true;
    stopRevoked?.();
    await worker.terminate();
    throw err;
  }

  let port = broker.port;
  let tlsUrl: string | null = null;
  let closed: Promise<void> | null = null;
  const call = <T = void>(t: 'listen' | 'stats' | 'stopAccepting' | 'close') => channel.request<T>({ t });

  return {
    get url() {
      return `mqtt://${broker.host}:${port}`;
    },
    get port() {
      return port;
    },
    get tlsUrl() {
      return listening ? tlsUrl : null;
    },
    get listening() {
      return listening;
    },
    readStats: () => call<BrokerStats>('stats'),
    async listen(handler) {
      intake = handler;
      const bound = await call<{ port: number; tlsUrl: string | null }>('listen');
      port = bound.port;
      tlsUrl = bound.tlsUrl;
      listening = true;
    },
    onInbound(listener) {
      inboundListeners.add(listener);
      return () => inboundListeners.delete(listener);
    },
    onPublished(listener) {
      publishedListeners.add(listener);
      if (publishedListeners.size === 1) channel.send({ t: 'tap', on: true });
      return () => {
        if (publishedListeners.delete(listener) && publishedListeners.size === 0) channel.send({ t: 'tap', on: false });
      };
    },
    takesInbound: isInbound,
    publish(topic, payload, { qos, retain = false }, done) {
      const message = { t: 'pub' as const, topic, payload, qos, retain };
      if (!done) return channel.send(message);
      channel.request<void>(message).then(
        () => done(),
        (err: Error) => done(err),
      );
    },
    async stopAccepting() {
      listening = false;
      await call('stopAccepting');
    },
    close() {
      listening = false;
      closed ??= (async () => {
        await call('close').catch(() => {});
        closing = true;
        stopRevoked?.();
        channel.flush();
        await worker.terminate();
      })();
      return closed;
    },
  };
}

/** A line the thread's pino wrote, logged again through the service's logger (level, fields, message). */
function relayLog(logger: Logger, line: string): void {
  const { level, msg, ...fields } = JSON.parse(line) as { level: number; msg?: string } & Record<string, unknown>;
  const method = logger.levels.labels[level] as 'info' | undefined;
  logger[method ?? 'info'](fields, msg);
}
