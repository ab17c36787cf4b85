import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { ConfigError } from '../config.js';

/**
 * The mail gateway's own configuration (STYLE 4: one config module per process), checked at start so
 * that a bad value stops it with a message naming the variable. It reads the same MQTT_* names as the
 * service: it connects to the broker the service publishes the outbox on, as the service's identity.
 */
export const MailGatewayConfigSchema = Type.Object({
  /** MQTT_URL: the broker the incident service publishes `v1/outbox/email` on. */
  MQTT_URL: Type.String({ default: 'mqtt://127.0.0.1:1883', pattern: '^(mqtts?|tcp|wss?)://.+' }),
  /** MQTT_USERNAME: the gateway's login to the broker (with AUTH=on on the embedded broker `anshin-mail`, the service's MQTT_MAIL_PASSWORD: it may read `v1/outbox/email` only). */
  MQTT_USERNAME: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9._-]{1,64}$' })),
  /** MQTT_PASSWORD: the password of MQTT_USERNAME. */
  MQTT_PASSWORD: Type.Optional(Type.String({ minLength: 1 })),
  /** MAIL_GATEWAY_CLIENT_ID: the client id of the gateway's persistent session: outbox messages wait in it while the gateway is down. */
  MAIL_GATEWAY_CLIENT_ID: Type.String({ default: 'anshin-mail-gateway', pattern: '^[A-Za-z0-9_-]{1,64}$' }),
  /** SMTP_URL: the SMTP server that takes the mail, e.g. smtp://127.0.0.1:2525, smtps://user:pass@host:465. */
  SMTP_URL: Type.String({ default: 'smtp://127.0.0.1:25', pattern: '^smtps?://[^/?#]+' }),
  /** MAIL_FROM: the sender of every email. */
  MAIL_FROM: Type.String({ default: 'anshin emergency support <no-reply@anshin.invalid>', minLength: 3, maxLength: 254, pattern: '^[^\\r\\n]+@[^\\r\\n]+$' }),
  /** MAIL_RETRY_MIN_MS: the first wait before an SMTP delivery that failed for the server's sake is tried again; it doubles each time. */
  MAIL_RETRY_MIN_MS: Type.Integer({ default: 1_000, minimum: 10, maximum: 600_000 }),
  /** MAIL_RETRY_MAX_MS: the longest wait between two tries. */
  MAIL_RETRY_MAX_MS: Type.Integer({ default: 60_000, minimum: 10, maximum: 3_600_000 }),
  /** SMTP_TIMEOUT_MS: how long the SMTP server may take to accept the connection and to answer each command. */
  SMTP_TIMEOUT_MS: Type.Integer({ default: 30_000, minimum: 100, maximum: 600_000 }),
  /** LOG_LEVEL: pino level. */
  LOG_LEVEL: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)), { default: 'info' }),
  /** LOG_FORMAT: `json` or `pretty`; unset: pretty on a terminal, else json. */
  LOG_FORMAT: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('pretty')])),
});
export type MailGatewayConfig = Static<typeof MailGatewayConfigSchema>;
const KEYS = Object.keys(MailGatewayConfigSchema.properties) as (keyof MailGatewayConfig)[];

/** Reads the environment; throws ConfigError naming the first bad variable. Empty strings count as unset. */
export function loadMailGatewayConfig(env: Record<string, string | undefined> = process.env): MailGatewayConfig {
  const raw: Record<string, unknown> = {};
  for (const key of KEYS) {
    const value = env[key];
    if (value === undefined || value === '') continue;
    const schema = MailGatewayConfigSchema.properties[key] as { type?: string };
    raw[key] = schema.type === 'integer' ? (/^-?\d+$/.test(value) ? Number(value) : value) : value;
  }
  const config = Value.Default(MailGatewayConfigSchema, raw);
  const first = [...Value.Errors(MailGatewayConfigSchema, config)][0];
  if (first) {
    const variable = first.path.replace(/^\//, '') || 'config';
    // Never echo a password back.
    const got = variable.endsWith('PASSWORD') || variable === 'SMTP_URL' ? '' : ` (got ${JSON.stringify(first.value)})`;
    throw new ConfigError(variable, `${first.message}${got}`);
  }
  const c = config as MailGatewayConfig;
  if (c.MQTT_PASSWORD !== undefined && c.MQTT_USERNAME === undefined) throw new ConfigError('MQTT_USERNAME', 'required with MQTT_PASSWORD');
  if (c.MAIL_RETRY_MAX_MS < c.MAIL_RETRY_MIN_MS) throw new ConfigError('MAIL_RETRY_MAX_MS', `must be at least MAIL_RETRY_MIN_MS (${c.MAIL_RETRY_MIN_MS})`);
  return c;
}

/** SMTP_URL without its password, for logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}
