import { readFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { devCertificate } from '../../lib/process/dev-cert.js';
import { ConfigError, type Config } from '../config.js';
import type { EmbeddedBrokerOptions } from './embedded-broker.js';
import { MAIL_USERNAME, TOOL_USERNAME, type VehicleCredentials } from './vehicle-auth.js';

/**
 * The embedded broker's TLS listener and AUTH options from the config (issue 11). `vehicles` given =
 * AUTH on (the identity service's credentials, or a test's); then MQTT_USERNAME / MQTT_PASSWORD is the
 * service account and MQTT_TOOL_PASSWORD the tool account `anshin-tool`.
 */
export async function brokerSecurity(config: Config, logger: Logger, vehicles?: VehicleCredentials): Promise<Pick<EmbeddedBrokerOptions, 'auth' | 'tls'>> {
  const options: Pick<EmbeddedBrokerOptions, 'auth' | 'tls'> = {};
  if (config.MQTT_TLS_PORT !== undefined) options.tls = { port: config.MQTT_TLS_PORT, ...(await tlsFiles(config, logger)) };
  if (vehicles) {
    options.auth = {
      vehicles,
      ...(config.MQTT_USERNAME && config.MQTT_PASSWORD ? { service: { username: config.MQTT_USERNAME, password: config.MQTT_PASSWORD } } : {}),
      ...(config.MQTT_TOOL_PASSWORD ? { tool: { username: TOOL_USERNAME, password: config.MQTT_TOOL_PASSWORD } } : {}),
      ...(config.MQTT_MAIL_PASSWORD ? { mail: { username: MAIL_USERNAME, password: config.MQTT_MAIL_PASSWORD } } : {}),
    };
  }
  return options;
}

/** TLS_CERT / TLS_KEY, or (unset) a demo certificate made once and kept in the temp directory. */
async function tlsFiles(config: Config, logger: Logger): Promise<{ cert: Buffer | string; key: Buffer | string }> {
  if (config.TLS_CERT && config.TLS_KEY) return { cert: await readPem('TLS_CERT', config.TLS_CERT), key: await readPem('TLS_KEY', config.TLS_KEY) };
  const made = await devCertificate(join(tmpdir(), 'anshin-tls'), [config.HOST, hostname()]);
  logger.warn(
    { caFile: made.caFile, certFile: made.certFile },
    `MQTT over TLS with a self-signed demo certificate (TLS_CERT unset): give cars its CA, e.g. anshin sim fire … --url mqtts://…:${config.MQTT_TLS_PORT} --ca ${made.caFile}`,
  );
  return { cert: made.cert, key: made.key };
}

async function readPem(variable: 'TLS_CERT' | 'TLS_KEY', path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    throw new ConfigError(variable, `cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}
