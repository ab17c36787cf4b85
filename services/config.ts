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

  // Issue 11, identity and access (services/identity/README.md).
  /** AUTH: `on` = operators log in, roles are enforced, cars need their credentials; unset = `off` on a loopback HOST, refused elsewhere (protected mode). */
  AUTH: Type.Optional(Type.Union([Type.Literal('on'), Type.Literal('off')])),
  /** ADMIN_PASSWORD: the password of the first admin (`admin`), made when no account exists; unset: a random one, logged once. */
  ADMIN_PASSWORD: Type.Optional(Type.String({ minLength: 12, maxLength: 256 })),
  /** TOKEN_TTL_MINUTES: how long an operator's login token is valid (a shift and a half by default). */
  TOKEN_TTL_MINUTES: Type.Number({ default: 720, minimum: 1, maximum: 7 * 24 * 60 }),
  /** PASSWORD_SCRYPT_COST: log2 of scrypt's N for new password hashes (15: about 0.1-0.3 s a login here); a hash keeps its own. */
  PASSWORD_SCRYPT_COST: Type.Integer({ default: 15, minimum: 10, maximum: 20 }),
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
  /** MQTT_BROKER_THREAD: `on` = the embedded broker runs on a worker thread of its own (a core for it, one for the service; issue 15); `off` = on the service's event loop. */
  MQTT_BROKER_THREAD: Type.Union([Type.Literal('on'), Type.Literal('off')], { default: 'on' }),
  /** MQTT_TLS_PORT: the embedded broker also listens for MQTT over TLS here (0 = any free port); unset: no TLS listener. */
  MQTT_TLS_PORT: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
  /** TLS_CERT: PEM certificate (chain) file of the TLS listener; unset with MQTT_TLS_PORT: a self-signed one is made for the demo. */
  TLS_CERT: Type.Optional(Type.String({ minLength: 1 })),
  /** TLS_KEY: PEM private key file of TLS_CERT. */
  TLS_KEY: Type.Optional(Type.String({ minLength: 1 })),
  /** MQTT_USERNAME: the service's own MQTT identity: its username on an external broker, and the service account of the embedded one (AUTH=on). */
  MQTT_USERNAME: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9._-]{1,64}$' })),
  /** MQTT_PASSWORD: the password of MQTT_USERNAME. */
  MQTT_PASSWORD: Type.Optional(Type.String({ minLength: 1 })),
  /** MQTT_TOOL_PASSWORD: embedded broker, AUTH=on: password of the read-only tool account `anshin-tool` (trace recorders, bench probes); unset: no tool account. */
  MQTT_TOOL_PASSWORD: Type.Optional(Type.String({ minLength: 8 })),
  /** MQTT_MAIL_PASSWORD: embedded broker, AUTH=on: password of the mail gateway's account `anshin-mail` (subscribes to `v1/outbox/email` only, D4.5); unset: no such account. */
  MQTT_MAIL_PASSWORD: Type.Optional(Type.String({ minLength: 8 })),
  /** INGEST_MAX_TRIES: a message that fails this often with the store up is dead-lettered. */
  INGEST_MAX_TRIES: Type.Integer({ default: 3, minimum: 1, maximum: 100 }),
  /** INGEST_MAX_IN_FLIGHT: inbound messages processed at once, cars concurrently (issue 15); the rest wait unacknowledged, in arrival order. */
  INGEST_MAX_IN_FLIGHT: Type.Integer({ default: 64, minimum: 1, maximum: 10_000 }),
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

  // Issue 12, "The operator's work": severity (D4.3) and positions (D2.1, D2.7).
  /** DOCTOR_HELI_THRESHOLD: a case's severity probability at or above this recommends `doctor_heli` (D4.3; published 0.05-0.20). */
  DOCTOR_HELI_THRESHOLD: Type.Number({ default: 0.1, exclusiveMinimum: 0, maximum: 1 }),
  /** POSITION_FLUSH_MS: how often each car's last known position, if it changed, is written to the store for the other instances. */
  POSITION_FLUSH_MS: Type.Integer({ default: 1_000, minimum: 50, maximum: 60_000 }),
  /**
   * POSITION_REFRESH_SECONDS: on a shared store (Redis), a car is saved in a batch when it moved
   * POSITION_MIN_METRES (a new track point) or its fix changed trust, else at most once per this many
   * seconds: the stored fix is then within POSITION_MIN_METRES of the car and this many seconds old.
   */
  POSITION_REFRESH_SECONDS: Type.Number({ default: 10, minimum: 0, maximum: 3600 }),
  /** POSITION_CASE_UPDATE_SECONDS: an open case's lastKnownPosition is updated from telemetry at most once per this many seconds per car. */
  POSITION_CASE_UPDATE_SECONDS: Type.Number({ default: 10, minimum: 0, maximum: 3600 }),
  /** POSITION_MIN_METRES: a move shorter than this is GNSS noise: no case update, no new track point. */
  POSITION_MIN_METRES: Type.Number({ default: 50, minimum: 0, maximum: 10_000 }),
  // Issue 12 part 6, "Service-car arrival" (D4.6).
  /** PUBLIC_BASE_URL: the address owners reach this service at, for tracking links (`{base}/track/{token}`); default `http://HOST:HTTP_PORT`. */
  PUBLIC_BASE_URL: Type.Optional(Type.String({ pattern: '^https?://[^\\s/]+(/[^\\s]*)?$' })),
  /** SERVICE_CAR_SPEED_KMH: the speed a tracking link's ETA assumes over the great-circle distance to the scene. */
  SERVICE_CAR_SPEED_KMH: Type.Number({ default: 40, exclusiveMinimum: 0, maximum: 300 }),
  // Issue 12 part 4, "Answer targets".
  /** ANSWER_TARGET_S: seconds within which a ringing call of priority 1, 2, 3 should be answered (`P1,P2,P3`); past it the case is escalated once. */
  ANSWER_TARGET_S: Type.String({ default: '10,15,20', pattern: '^\\s*\\d{1,4}(\\.\\d+)?\\s*(,\\s*\\d{1,4}(\\.\\d+)?\\s*){2}$', description: 'three numbers of seconds, P1,P2,P3' }),
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
  checkMqttPairs(config as Config);
  answerTargets(config as Config);
  protectedMode(config as Config);
  return config as Config;
}

/**
 * Issue 11, protected mode (like Redis's): unset AUTH means `off` only while HOST is a loopback
 * address; on any other address the service refuses to start until AUTH is chosen. `AUTH=off` set
 * explicitly is allowed anywhere. After this, `config.AUTH` is always set.
 */
function protectedMode(config: Config): void {
  if (config.AUTH !== undefined) return;
  if (!isLoopback(config.HOST)) {
    throw new ConfigError('AUTH', `HOST ${config.HOST} is not a loopback address: set AUTH=on (operators log in, cars need credentials) or AUTH=off explicitly`);
  }
  config.AUTH = 'off';
}

/** ANSWER_TARGET_S as seconds for priorities 1, 2, 3; each must be above 0 (ConfigError naming the variable). */
export function answerTargets(config: Pick<Config, 'ANSWER_TARGET_S'>): [number, number, number] {
  const targets = config.ANSWER_TARGET_S.split(',').map((t) => Number(t.trim()));
  if (targets.length !== 3 || targets.some((t) => !Number.isFinite(t) || t <= 0)) {
    throw new ConfigError('ANSWER_TARGET_S', `three numbers of seconds above 0 for priorities 1, 2, 3, e.g. 10,15,20 (got ${JSON.stringify(config.ANSWER_TARGET_S)})`);
  }
  return targets as [number, number, number];
}

export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h) || h === '::ffff:127.0.0.1';
}

/** Keys that only make sense together (issue 11): a certificate with its key, a username with its password. */
function checkMqttPairs(config: Config): void {
  if ((config.TLS_CERT === undefined) !== (config.TLS_KEY === undefined)) {
    throw new ConfigError(config.TLS_CERT === undefined ? 'TLS_CERT' : 'TLS_KEY', 'TLS_CERT and TLS_KEY go together (a PEM certificate file and its key file)');
  }
  if (config.MQTT_PASSWORD !== undefined && config.MQTT_USERNAME === undefined) throw new ConfigError('MQTT_USERNAME', 'required with MQTT_PASSWORD');
}
