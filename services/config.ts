import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

/**
 * One config module per process (STYLE 4): every environment variable the service reads, with its
 * default, checked at start-up so a bad value stops the process with a message naming the variable.
 */
export const ConfigSchema = Type.Object({
  /** HOST: address the HTTP server and the embedded broker bind to. */
  HOST: Type.String({ default: '127.0.0.1', minLength: 1 }),
  /** HTTP_PORT: HTTP API, operator feed and console (0 = any free port). */
  HTTP_PORT: Type.Integer({ default: 3000, minimum: 0, maximum: 65535 }),
  /** MQTT_PORT: the embedded aedes broker (ignored when MQTT_URL is set). */
  MQTT_PORT: Type.Integer({ default: 1883, minimum: 0, maximum: 65535 }),
  /** MQTT_URL: use this external broker (Mosquitto, EMQX, HiveMQ) instead of the embedded one. */
  MQTT_URL: Type.Optional(Type.String({ pattern: '^(mqtts?|tcp|wss?)://.+' })),
  /** MQTT_SHARED_GROUP: subscribe to events with `$share/<group>/…` so instances share the load. */
  MQTT_SHARED_GROUP: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]+$' })),
  /** MQTT_CLIENT_ID: fixed client id of this instance, for a persistent session (clean: false). */
  MQTT_CLIENT_ID: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' })),
  /** REDIS_URL: keep state and the operator feed in Redis instead of memory. */
  REDIS_URL: Type.Optional(Type.String({ pattern: '^rediss?://.+' })),
  /** REDIS_KEY_PREFIX: prefix of every key, so deployments (and tests) can share one Redis. */
  REDIS_KEY_PREFIX: Type.String({ default: 'anshin:', pattern: '^[A-Za-z0-9:_-]{1,64}$' }),
  /** API_TOKEN: when set, every /v1 route and the feed require `Authorization: Bearer <token>`. */
  API_TOKEN: Type.Optional(Type.String({ minLength: 8 })),
  /** LOCKOUT_MINUTES: how long the lockout runs after clear-down (D3.5). */
  LOCKOUT_MINUTES: Type.Number({ default: 60, exclusiveMinimum: 0, maximum: 24 * 60 }),
  /** IMPACT_DELTA_V_KMH: delta-V at or above which an impact auto-notifies (D1.2). */
  IMPACT_DELTA_V_KMH: Type.Number({ default: 8, exclusiveMinimum: 0, maximum: 200 }),
  /** LOG_LEVEL: pino level. */
  LOG_LEVEL: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)), { default: 'info' }),
  /** LOG_FORMAT: `json` (a JSON object a line, for machines) or `pretty` (a readable line, Japan time); unset: pretty on a terminal, else json. */
  LOG_FORMAT: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('pretty')])),
  /** MAX_PAYLOAD_BYTES: larger vehicle payloads are rejected as `payload_too_large`. */
  MAX_PAYLOAD_BYTES: Type.Integer({ default: 16 * 1024, minimum: 512, maximum: 1024 * 1024 }),
  /** MQTT_MAX_PACKET_BYTES: the embedded broker drops clients that send larger packets. */
  MQTT_MAX_PACKET_BYTES: Type.Integer({ default: 64 * 1024, minimum: 1024, maximum: 16 * 1024 * 1024 }),
  /** MQTT_MAX_CONNECTIONS: embedded broker refuses more clients with CONNACK 3; default 80% of the fd limit. */
  MQTT_MAX_CONNECTIONS: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000_000 })),
  /** MQTT_MAX_KEEPALIVE_S: a client silent for 1.5x this is closed (also one with keep-alive 0). */
  MQTT_MAX_KEEPALIVE_S: Type.Integer({ default: 1200, minimum: 1, maximum: 65535 }),
  /** INGEST_MAX_TRIES: a message that fails this often with the store up is dead-lettered. */
  INGEST_MAX_TRIES: Type.Integer({ default: 3, minimum: 1, maximum: 100 }),
  /** INGEST_HOLD_MS: embedded broker: a car's publish held this long in a store outage is refused (no PUBACK). */
  INGEST_HOLD_MS: Type.Integer({ default: 30_000, minimum: 100, maximum: 3_600_000 }),
  /** OUTBOX_RETRY_MS: a committed command still unconfirmed by the broker after this is sent again. */
  OUTBOX_RETRY_MS: Type.Integer({ default: 5_000, minimum: 100, maximum: 3_600_000 }),
  /** FEED_HISTORY: feed messages kept for `?since=` resumes. */
  FEED_HISTORY: Type.Integer({ default: 10_000, minimum: 100 }),
  /** FEED_MAX_BUFFERED_BYTES: a feed client with more unsent than this is closed with 1013. */
  FEED_MAX_BUFFERED_BYTES: Type.Integer({ default: 4 * 1024 * 1024, minimum: 1024 }),
  /** FEED_MAX_SNAPSHOT_BYTES: a larger snapshot carries only the most urgent open cases (`truncated`); capped at FEED_MAX_BUFFERED_BYTES. */
  FEED_MAX_SNAPSHOT_BYTES: Type.Integer({ default: 1024 * 1024, minimum: 1024 }),
  /** FEED_STALL_SECONDS: a feed client that reads nothing for this long (unsent data stuck, ping unanswered) is closed with 1013. */
  FEED_STALL_SECONDS: Type.Number({ default: 30, exclusiveMinimum: 0, maximum: 3600 }),
  /** FEED_MAX_CLIENTS: feed connections past this many are refused (HTTP 503 before the upgrade). */
  FEED_MAX_CLIENTS: Type.Integer({ default: 500, minimum: 1, maximum: 100_000 }),
  /** HTTP_REQUEST_TIMEOUT_MS: a request whose headers and body have not all arrived by then gets 408. */
  HTTP_REQUEST_TIMEOUT_MS: Type.Integer({ default: 30_000, minimum: 100, maximum: 600_000 }),
  /** HTTP_BODY_LIMIT_BYTES: a larger request body gets 413 `payload_too_large`. */
  HTTP_BODY_LIMIT_BYTES: Type.Integer({ default: 64 * 1024, minimum: 1024, maximum: 16 * 1024 * 1024 }),
});
export type Config = Static<typeof ConfigSchema>;
export const CONFIG_KEYS = Object.keys(ConfigSchema.properties) as (keyof Config)[];

export class ConfigError extends Error {
  constructor(readonly variable: string, message: string) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

/** Reads the environment; throws ConfigError naming the first bad variable. Empty strings count as unset. */
export function loadConfig(env: Record<string, string | undefined> = process.env, overrides: Partial<Config> = {}): Config {
  const raw: Record<string, unknown> = {};
  for (const key of CONFIG_KEYS) {
    const value = env[key];
    if (value === undefined || value === '') continue;
    const schema = ConfigSchema.properties[key] as { type?: string };
    raw[key] = schema.type === 'integer' || schema.type === 'number' ? (/^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value) : value;
  }
  const config = Value.Default(ConfigSchema, { ...raw, ...overrides });
  const first = [...Value.Errors(ConfigSchema, config)][0];
  if (first) {
    const variable = first.path.replace(/^\//, '') || 'config';
    throw new ConfigError(variable, `${first.message} (got ${JSON.stringify(first.value)})`);
  }
  return config as Config;
}
