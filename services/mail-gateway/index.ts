import type { Logger } from 'pino';
import type { Clock } from '../../lib/clock/index.js';
import type { MailGatewayConfig } from './config.js';
import { MailGateway } from './gateway.js';

export { MailGateway, type MailGatewayOptions, type MailGatewayCounters } from './gateway.js';
export { loadMailGatewayConfig, redactUrl, MailGatewayConfigSchema, type MailGatewayConfig } from './config.js';
export { decodeOutboxEmail, DROP_CODES, MAX_OUTBOX_PAYLOAD_BYTES, type DropCode } from './decode.js';
export { SmtpSender, SmtpFailure, classify } from './smtp.js';
export { backoffMs } from './backoff.js';

/** The gateway as its configuration describes it, connected and subscribed. */
export async function startMailGateway(config: MailGatewayConfig, deps: { clock: Clock; logger: Logger; connectDeadlineMs?: number }): Promise<MailGateway> {
  const gateway = new MailGateway({
    mqtt: { url: config.MQTT_URL, clientId: config.MAIL_GATEWAY_CLIENT_ID, username: config.MQTT_USERNAME, password: config.MQTT_PASSWORD },
    smtp: { url: config.SMTP_URL, from: config.MAIL_FROM, timeoutMs: config.SMTP_TIMEOUT_MS },
    retry: { minMs: config.MAIL_RETRY_MIN_MS, maxMs: config.MAIL_RETRY_MAX_MS },
    clock: deps.clock,
    logger: deps.logger,
    ...(deps.connectDeadlineMs !== undefined ? { connectDeadlineMs: deps.connectDeadlineMs } : {}),
  });
  await gateway.start();
  return gateway;
}
