import { hostname } from 'node:os';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import { clusterOptions } from './broker/cluster.js';
import { consolePlugin } from './console/plugin.js';
import { startEmbeddedBroker, type EmbeddedBroker } from './broker/embedded-broker.js';
import { SystemClock, type Clock } from './clock/index.js';
import { loadConfig, type Config } from './config.js';
import { ulidFactory } from './ids.js';
import { buildApp } from './incident/app.js';
import { MqttLink } from './incident/mqtt-link.js';
import { IncidentService } from './incident/service.js';
import { createStore, type Store } from './incident/store/index.js';
import { createLogger } from './logger.js';

export interface StackOptions {
  /** Values over the environment's (tests pass HTTP_PORT: 0, MQTT_PORT: 0 for free ports). */
  config?: Partial<Config>;
  env?: Record<string, string | undefined>;
  clock?: Clock;
  store?: Store;
  logger?: Logger;
  newId?: () => string;
  /** Extra HTTP plugins; the operator console is added by default. */
  plugins?: FastifyPluginAsync[];
  console?: boolean;
}

export interface Stack {
  config: Config;
  clock: Clock;
  store: Store;
  service: IncidentService;
  app: FastifyInstance;
  /** The embedded broker, unless MQTT_URL points at an external one. */
  broker: EmbeddedBroker | null;
  link: MqttLink;
  httpUrl: string;
  mqttUrl: string;
  logger: Logger;
  close(): Promise<void>;
}

/**
 * The whole stack in one process: the embedded aedes broker (unless MQTT_URL), the incident service
 * with its store, the HTTP API, the operator feed and the console. Order matters: the service is
 * ready (timers re-armed) before it takes MQTT messages, and stops taking them before it closes.
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const config = loadConfig(options.env ?? process.env, options.config);
  const logger = options.logger ?? createLogger(config.LOG_LEVEL);
  const clock = options.clock ?? new SystemClock();
  const store = options.store ?? (await createStore(config, logger));
  const newId = options.newId ?? ulidFactory(clock);

  // With Redis, embedded brokers share subscriptions, retained messages and offline queues (issue 3).
  const cluster =
    config.MQTT_URL || !config.REDIS_URL
      ? undefined
      : await clusterOptions(config.REDIS_URL, { prefix: `${config.REDIS_KEY_PREFIX}mqtt:`, onError: (err) => logger.warn({ err }, 'broker cluster: redis trouble') });
  const broker = config.MQTT_URL
    ? null
    : await startEmbeddedBroker({ host: config.HOST, port: config.MQTT_PORT, maxPacketBytes: config.MQTT_MAX_PACKET_BYTES, logger, ...(cluster ? { cluster } : {}) });
  const mqttUrl = config.MQTT_URL ?? broker!.url;
  const link = new MqttLink({
    url: mqttUrl,
    clientId: config.MQTT_CLIENT_ID ?? `anshin-${hostname()}-${process.pid}-${Math.floor(Math.random() * 1e6)}`,
    clean: config.MQTT_CLIENT_ID === undefined,
    ...(broker ? broker.serviceCredentials : {}),
    ...(config.MQTT_SHARED_GROUP ? { sharedGroup: config.MQTT_SHARED_GROUP } : {}),
    clock,
    logger,
  });
  const service = new IncidentService({ store, clock, config, outbound: link, logger, newId });

  const plugins = [...(options.plugins ?? [])];
  if (options.console !== false) plugins.push(consolePlugin);
  const app = await buildApp({
    service,
    config,
    logger,
    plugins,
    readiness: [
      { name: 'store', check: () => store.ping() },
      { name: 'broker', check: () => { if (!link.connected) throw new Error('not connected'); } },
    ],
  });
  // The link comes first so that expiries due at start-up can tell their cars; messages that arrive
  // before the timers are re-armed wait (unacknowledged) for the service to be ready.
  let ready!: () => void;
  const serviceReady = new Promise<void>((resolve) => (ready = resolve));
  await link.connect(async (topic, payload) => {
    await serviceReady;
    await service.ingest(topic, payload);
  });
  await service.start();
  ready();
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
    httpUrl,
    mqttUrl,
    logger,
    async close() {
      if (closed) return;
      closed = true;
      service.feed.dropAll();
      await app.close();
      await link.close();
      await service.stop();
      await broker?.close();
      await cluster?.close();
      if (!options.store) await store.close();
    },
  };
}
