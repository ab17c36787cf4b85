/**
 * The worker thread of the embedded broker (issue 15; `threaded-broker.ts` starts it): the same
 * `createEmbeddedBroker` as on the service's loop, with what it asks of the service sent across the
 * thread boundary: each car publish on a backend topic (held, unacknowledged, until the service answers
 * that it is committed), each vehicle password to check (AUTH=on), and the broker's log lines. The
 * service's publishes, credential revocations and the trace tap come the other way.
 */
import { parentPort, workerData } from 'node:worker_threads';
import pino from 'pino';
import type { BrokerCluster } from './cluster.js';
import { createEmbeddedBroker, type InProcessBroker } from './embedded-broker.js';
import { bytesOf, ThreadChannel } from './thread-channel.js';
import type { FromThread, ThreadBrokerData, ToThread } from './threaded-broker.js';
import type { VehicleCredentials } from './vehicle-auth.js';

const data = workerData as ThreadBrokerData;
const revokedListeners = new Set<(vin: string) => void>();
let broker: InProcessBroker | null = null;
let cluster: BrokerCluster | undefined;
let offTap: (() => void) | null = null;

const channel = new ThreadChannel<FromThread, ToThread>(parentPort!, (message) => {
  switch (message.t) {
    case 'pub':
      broker!.publish(message.topic, message.payload, { qos: message.qos, retain: message.retain }, message.id === undefined ? undefined : (err) => channel.answer(message.id!, err ? { error: err } : {}));
      return;
    case 'revoked':
      for (const listener of revokedListeners) listener(message.vin);
      return;
    case 'tap':
      offTap?.();
      offTap = message.on
        ? broker!.onPublished((topic, payload, clientId, packet) => channel.send({ t: 'published', topic, payload: bytesOf(payload), clientId, qos: packet.qos, retain: packet.retain }))
        : null;
      return;
    case 'listen':
      return reply(message.id, async () => {
        await broker!.listen((topic, payload, arrival) => channel.request({ t: 'in', topic, payload: bytesOf(payload), ...arrival }));
        return { port: broker!.port, tlsUrl: broker!.tlsUrl };
      });
    case 'stats':
      return reply(message.id, () => broker!.readStats());
    case 'stopAccepting':
      return reply(message.id, () => broker!.stopAccepting());
    case 'close':
      return reply(message.id, async () => {
        await broker?.close();
        await cluster?.close();
      });
  }
});

// The broker's log lines go to the service's logger (its format, its destination, a test's capture).
const logger = pino({ level: data.logLevel, base: undefined, timestamp: false }, { write: (line: string) => channel.send({ t: 'log', line }) });

try {
  const vehicles: VehicleCredentials = {
    verify: (vin, password) => channel.request<boolean>({ t: 'verify', vin, password: bytesOf(password) }),
    onRevoked(listener) {
      revokedListeners.add(listener);
      return () => revokedListeners.delete(listener);
    },
  };
  // Loaded only with Redis: ioredis and the cluster's libraries take a third of a second to load.
  cluster = data.cluster ? await (await import('./cluster.js')).brokerCluster(data.cluster, logger) : undefined;
  broker = await createEmbeddedBroker({
    ...data.broker,
    logger,
    ...(cluster ? { cluster } : {}),
    ...(data.auth ? { auth: { ...data.auth, vehicles } } : {}),
  });
  channel.send({ t: 'created' });
} catch (err) {
  channel.send({ t: 'failed', error: (err as Error).message });
}

function reply(id: number, work: () => unknown): void {
  Promise.resolve()
    .then(work)
    .then(
      (value) => channel.answer(id, { value }),
      (err: Error) => channel.answer(id, { error: err }),
    );
}
