import { SystemClock } from '../../lib/clock/index.js';
import { createLogger } from '../../lib/logger.js';
import { ConfigError } from '../../services/config.js';
import { loadMailGatewayConfig, startMailGateway, type MailGatewayConfig } from '../../services/mail-gateway/index.js';
import { UsageError } from '../errors.js';

/**
 * `anshin mail-gateway`: runs until SIGINT / SIGTERM, then stops (a delivery waiting to be tried
 * again stays in the broker's session) and exits 0. A bad variable is a usage error (exit 2); a broker
 * that refuses the login, or is not reachable within a minute, a failure (exit 1).
 */
export async function mailGateway(): Promise<void> {
  let config: MailGatewayConfig;
  try {
    config = loadMailGatewayConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(`bad configuration: ${err.message}`);
    throw err;
  }
  const logger = createLogger(config.LOG_LEVEL, { name: 'anshin-mail-gateway', format: config.LOG_FORMAT });
  const gateway = await startMailGateway(config, { clock: new SystemClock(), logger });
  // Once the broker has the subscription: from here on what the service publishes waits in the session.
  logger.info({ clientId: config.MAIL_GATEWAY_CLIENT_ID, ...(config.MQTT_USERNAME ? { username: config.MQTT_USERNAME } : {}) }, 'mail gateway subscribed to v1/outbox/email');
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  logger.info({ signal, ...gateway.counters }, 'mail gateway stopping');
  await gateway.stop();
  logger.info(gateway.counters, 'mail gateway stopped');
}
