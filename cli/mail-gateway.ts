import type { Command } from 'commander';
import { defineWhenUsed } from './lazy.js';

const ENVIRONMENT = `
Environment (services/mail-gateway/README.md):
  MQTT_URL                 the broker the service publishes v1/outbox/email on (default mqtt://127.0.0.1:1883)
  MQTT_USERNAME, MQTT_PASSWORD   the broker login, when it asks for one (AUTH=on: anshin-mail and the
                           service's MQTT_MAIL_PASSWORD, which may read v1/outbox/email only)
  MAIL_GATEWAY_CLIENT_ID   the persistent session's client id (default anshin-mail-gateway)
  SMTP_URL                 the SMTP server, e.g. smtp://127.0.0.1:2525 (default smtp://127.0.0.1:25)
  MAIL_FROM                the sender (default "anshin emergency support <no-reply@anshin.invalid>")
  MAIL_RETRY_MIN_MS, MAIL_RETRY_MAX_MS, SMTP_TIMEOUT_MS, LOG_LEVEL, LOG_FORMAT`;

/** `anshin mail-gateway`: the email outbox to SMTP (services/mail-gateway/), defined when it runs. */
export function registerMailGateway(program: Command): void {
  defineWhenUsed(program.command('mail-gateway').description('deliver the email outbox (v1/outbox/email) to the SMTP server at SMTP_URL, until Ctrl-C'), async () => (cmd) => {
    cmd.addHelpText('after', ENVIRONMENT).action(async () => {
      const { mailGateway } = await import('./actions/mail-gateway.js');
      await mailGateway();
    });
  });
}
