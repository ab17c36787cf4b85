import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadMailGatewayConfig } from '../../services/mail-gateway/index.js';

/**
 * D4.5: the compose stack's mail gateway, checked as text (no Docker engine on the CI machines): it runs
 * the image an instance builds with `anshin mail-gateway`, its environment is one the gateway's config
 * accepts, and it reads the outbox on the stack's broker and sends to the stack's SMTP server.
 */
describe('docker-compose.yml: the mail gateway', async () => {
  const compose = parse(await readFile(new URL('../../docker-compose.yml', import.meta.url), 'utf8'), { merge: true }) as {
    services: Record<string, { image?: string; command?: string[]; environment?: Record<string, string>; build?: unknown; ports?: string[]; healthcheck?: { disable?: boolean } }>;
  };
  const gateway = compose.services['mail-gateway']!;

  it('runs `anshin mail-gateway` in the image service-1 builds, without the HTTP healthcheck', () => {
    expect(gateway).toBeDefined();
    expect(gateway.build).toBeUndefined();
    expect(compose.services['service-1']!.build).toBeDefined();
    expect(gateway.image).toBe(compose.services['service-1']!.image);
    expect(gateway.command).toEqual(['node', 'dist/cli/main.js', 'mail-gateway']);
    expect(gateway.healthcheck?.disable).toBe(true);
  });

  it('its environment passes the gateway\'s config check: the stack\'s EMQX and the SMTP server of the file', () => {
    const config = loadMailGatewayConfig(gateway.environment ?? {});
    expect(config.MQTT_URL).toBe('mqtt://emqx:1883');
    const smtpHost = new URL(config.SMTP_URL).hostname;
    expect(Object.keys(compose.services)).toContain(smtpHost);
  });
});
