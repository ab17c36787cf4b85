import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import { brokerCluster } from './broker/cluster.js';
import { consolePlugin } from './console/plugin.js';
import { createEmbeddedBroker, type EmbeddedBroker } from './broker/embedded-broker.js';
import { brokerSecurity } from './broker/security-config.js';
import { startBrokerThread } from './broker/threaded-broker.js';
import type { VehicleCredentials } from './broker/vehicle-auth.js';
import { SystemClock, type Clock } from '../lib/clock/index.js';
import { loadConfig, type Config } from './config.js';
import { ulidFactory } from '../lib/ids.js';
import { buildApp } from './incident/app.js';
import { IngestRunner } from './incident/ingest/runner.js';
import { MqttLink } from './incident/mqtt-link.js';
import { IncidentService } from './incident/service.js';
import { StoreVehicleCredentials } from './identity/vehicle-credentials.js';
import { createStore, type Store } from './incident/store/index.js';
import { createLogger } from '../lib/logger.js';

export interface StackOptions {
  /** Values over the environment's (tests pass HTTP_PORT: 0, MQTT_PORT: 0 for free ports). */
  config?: Partial<Config>;
  env?: Record<string, string | undefined>;
  clock?: Clock;
  store?: Store;
  logger?: Logger;
  newId?: () => string;
  /** D4.6: draws tracking tokens (random by default; the trace-fixture recorder seeds it, so traces are byte-stable). */
  newToken?: () => string;
  /** Extra HTTP plugins; the operator console is added by default. */
  plugins?: FastifyPluginAsync[];
  console?: boolean;
  /** Given: the embedded broker enforces AUTH (vehicle credentials, ACL, client ids; services/broker/acl.ts). */
  vehicleCredentials?: VehicleCredentials;
}

export interface Stack {
  config: Config;
  clock: Clock;
  store: Store;
  service: IncidentService;
  app: FastifyInstance;
  /** The embedded broker, unless MQTT_URL points at an external one. */
  broker: EmbeddedBroker | null;
  /** The service's connection to the external broker (MQTT_URL); null on the embedded one. */
  link: MqttLink | null;
  /** Runs car messages through ingest: what a PUBACK waits for. */
  intake: IngestRunner;
  httpUrl: string;
  mqttUrl: string;
  logger: Logger;
  close(): Promise<void>;
}

/**
 * The whole stack in one process: the embedded aedes broker (unless MQTT_URL), the incident service
 * with its store, the HTTP API, the operator feed and the console. Order matters (issue 9): the service
 * is ready (timers re-armed, outbox sent) before the broker takes a car or the link a message, and the
 * broker stops taking cars, and ingest settles, before the service and the store close.
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const config = loadConfig(options.env ?? process.env, options.config);
  const logger = options.logger ?? createLogger(config.LOG_LEVEL, { format: config.LOG_FORMAT });
  const clock = options.clock ?? new SystemClock();
  const store = options.store ?? (await createStore(config, logger, clock));
  const newId = options.newId ?? ulidFactory(clock);
  if (store.kind === 'memory') {
    logger.warn('state is in memory: cases, calls and lockouts are gone when this process stops (set REDIS_URL to keep them)');
  }

  // Issue 11: with AUTH=on the embedded broker checks cars against the credentials the identity service
  // issues (PUT /v1/vehicles/{vin}/credentials), kept in the store, so every instance knows them.
  const vehicleCredentials = options.vehicleCredentials ?? (config.AUTH === 'on' ? new StoreVehicleCredentials(store) : undefined);

  // With Redis, embedded brokers share subscriptions, retained messages and offline queues (issue 3).
  const clusterAt = config.MQTT_URL || !config.REDIS_URL ? undefined : { redisUrl: config.REDIS_URL, prefix: `${config.REDIS_KEY_PREFIX}mqtt:` };
  const brokerOptions = config.MQTT_URL
    ? null
    : {
        host: config.HOST,
        port: config.MQTT_PORT,
        maxPacketBytes: config.MQTT_MAX_PACKET_BYTES,
        maxKeepaliveSeconds: config.MQTT_MAX_KEEPALIVE_S,
        ...(config.MQTT_MAX_CONNECTIONS ? { maxConnections: config.MQTT_MAX_CONNECTIONS } : {}),
        logger,
        ...(await brokerSecurity(config, logger, vehicleCredentials)),
      };
  // Issue 15: by default the broker has a thread (and a core) of its own; it makes its own cluster connections.
  const threaded = config.MQTT_BROKER_THREAD === 'on';
  const cluster = clusterAt && !threaded ? await brokerCluster(clusterAt, logger) : undefined;
  const broker: EmbeddedBroker | null = !brokerOptions
    ? null
    : threaded
      ? await startBrokerThread({ ...brokerOptions, ...(clusterAt ? { cluster: clusterAt } : {}) })
      : await createEmbeddedBroker({ ...brokerOptions, ...(cluster ? { cluster } : {}) });
  const link = broker
    ? null
    : new MqttLink({
        url: config.MQTT_URL!,
        clientId: config.MQTT_CLIENT_ID ?? defaultClientId(config.HTTP_PORT),
        ...(config.MQTT_SHARED_GROUP ? { sharedGroup: config.MQTT_SHARED_GROUP } : {}),
        ...(config.MQTT_USERNAME ? { username: config.MQTT_USERNAME, password: config.MQTT_PASSWORD ?? '' } : {}),
        maxInFlight: config.INGEST_MAX_IN_FLIGHT,
        clock,
        logger,
      });
  const service = new IncidentService({ store, clock, config, outbound: broker ?? link!, logger, newId, ...(options.newToken ? { newToken: options.newToken } : {}) });
  const intake = new IngestRunner({
    handle: service.ingest,
    store,
    clock,
    logger,
    metrics: service.metrics,
    deadLetter: (topic, payload, reason, detail) => service.core.deadLetter(topic, payload, reason, detail),
    maxTries: config.INGEST_MAX_TRIES,
    // The embedded broker can refuse a publish (the car sends it again); a client link cannot, so it holds.
    holdMs: broker ? config.INGEST_HOLD_MS : Infinity,
    maxInFlight: config.INGEST_MAX_IN_FLIGHT,
  });

  const plugins = [...(options.plugins ?? [])];
  if (options.console !== false) plugins.push(consolePlugin);
  const app = await buildApp({
    service,
    config,
    logger,
    plugins,
    readiness: [
      { name: 'store', check: () => store.ping() },
      {
        name: 'broker',
        check: () => {
          if (broker ? !broker.listening : !link!.connected) throw new Error('not connected');
        },
      },
      {
        name: 'ingest',
        check: () => {
          if (intake.holding > 0) throw new Error(`${intake.holding} messages held until the store answers`);
        },
      },
    ],
  });
  // An external broker is connected first, so that the outbox sent at start reaches it; what it
  // delivers before the service has started waits (unacknowledged). The embedded broker opens its
  // port only once the service can commit.
  let started!: () => void;
  const serviceStarted = new Promise<void>((resolve) => (started = resolve));
  if (link) await link.connect(async (topic, payload) => serviceStarted.then(() => intake.submit(topic, payload)));
  await service.start();
  started();
  if (broker) await broker.listen((topic, payload) => intake.submit(topic, payload));
  const mqttUrl = broker ? broker.url : config.MQTT_URL!;
  const address = await app.listen({ host: config.HOST, port: config.HTTP_PORT });
  const httpUrl = address.replace('[::1]', 'localhost');
  logger.info({ http: httpUrl, mqtt: mqttUrl, store: store.kind, console: `${httpUrl}/`, docs: `${httpUrl}/docs` }, 'anshin is up');

  let closed = false;
  return {
    config,
    clock,
    store,
    service,
    app,
    broker,
    link,
    intake,
    httpUrl,
    mqttUrl,
    logger,
    async close() {
      if (closed) return;
      closed = true;
      service.feed.dropAll();
      await app.close();
      // No car message is taken from here on; those in flight commit (and are acknowledged) or fail.
      if (broker) await broker.stopAccepting();
      else link!.stopIntake();
      await intake.stop();
      await service.stop();
      await link?.close();
      await broker?.close();
      await cluster?.close();
      if (!options.store) await store.close();
    },
  };
}

/**
 * A stable default identity for the persistent session on an external broker (issue 9): host and HTTP
 * port name one instance across restarts. With HTTP_PORT 0 (tests) there is nothing stable to name.
 */
function defaultClientId(httpPort: number): string {
  const host = hostname().replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 40);
  return httpPort === 0 ? `anshin-${host}-${process.pid}-${randomUUID().slice(0, 8)}` : `anshin-${host}-${httpPort}`;
}
