/**
 * D4.5 with issue 11, end to end: the service with AUTH=on and MQTT_MAIL_PASSWORD (the embedded
 * broker's mail account `anshin-mail`), the real `anshin mail-gateway` in a child process
 * (bin/anshin.js, built in dist/) logging in as `anshin-mail`, and a real SMTP server on loopback: an
 * owner registers a contact and the confirmation email reaches the mailbox; the token in it confirms
 * the address. The mail account reads `v1/outbox/email` and nothing else (SUBACK 0x80 for `v1/#`);
 * with a wrong password the gateway exits 1 with one line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { topics } from '../../protocol/index.js';
import { granted, tryConnect } from '../helpers/mqtt-auth.js';
import { runCli } from '../helpers/sim-cli.js';
import { startTestSmtp, type TestSmtp } from '../helpers/smtp-server.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';
import { vin } from '../helpers/vins.js';

const BIN = path.resolve(import.meta.dirname, '../../bin/anshin.js');
const MAIL_PASSWORD = 'mail-gateway-password-1';

/** The running `anshin mail-gateway`: its log so far (pino, JSON lines on stdout), and a stop by SIGTERM (it exits 0). */
interface GatewayProcess {
  child: ChildProcess;
  log(): string;
  exited: Promise<number | null>;
}

function startGateway(env: Record<string, string>): GatewayProcess {
  const child = spawn(process.execPath, [BIN, 'mail-gateway'], { env: { ...process.env, ANSHIN_TOKEN: '', API_TOKEN: '', LOG_LEVEL: 'info', LOG_FORMAT: 'json', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, log: () => log, exited };
}

describe('D4.5: the mail gateway as anshin-mail on the embedded broker with AUTH=on', () => {
  let stack: TestStack;
  let smtp: TestSmtp;
  let gateway: GatewayProcess | undefined;
  const clients: MqttClient[] = [];

  beforeEach(async () => {
    smtp = await startTestSmtp();
    stack = await startTestStack({ config: { AUTH: 'on', API_TOKEN: 'admin-service-token-1', ADMIN_PASSWORD: 'admin-password-1', MQTT_MAIL_PASSWORD: MAIL_PASSWORD } });
  });
  afterEach(async () => {
    if (gateway && gateway.child.exitCode === null) {
      gateway.child.kill('SIGTERM');
      await gateway.exited;
    }
    gateway = undefined;
    await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
    await stack?.close();
    await smtp?.stop();
  });

  it('D4.5: the confirmation email reaches the SMTP server through the gateway logged in as anshin-mail; the token in it confirms the contact', async () => {
    gateway = startGateway({ MQTT_URL: stack.mqttUrl, MQTT_USERNAME: 'anshin-mail', MQTT_PASSWORD: MAIL_PASSWORD, MAIL_GATEWAY_CLIENT_ID: `mail-auth-test-${process.pid}`, SMTP_URL: smtp.url, MAIL_FROM: 'anshin desk <desk@anshin.test>', MAIL_RETRY_MIN_MS: '100', MAIL_RETRY_MAX_MS: '1000' });
    // Subscribed before the service publishes: the outbox message then waits in the gateway's session.
    await expect.poll(() => gateway!.log(), { timeout: 30_000 }).toContain('mail gateway subscribed to v1/outbox/email');
    expect(gateway.log()).toContain('"username":"anshin-mail"');

    const v = vin(1560);
    const to = 'hanako@example.jp';
    expect((await stack.http('PUT', `/v1/vehicles/${v}/contacts`, { contacts: [{ name: 'Hanako', phone: '090-1234-5678', email: to }] })).status).toBe(200);
    const confirmation = await smtp.waitFor((m) => m.envelopeTo.includes(to) && m.headers.get('x-anshin-kind') === 'contact_confirmation', 20_000);
    expect(confirmation).toMatchObject({ to, from: expect.stringContaining('desk@anshin.test') });
    const token = /^([A-Za-z0-9_-]{43})$/m.exec(confirmation.text)?.[1];
    expect(token, confirmation.text).toBeDefined();
    expect(await stack.http('POST', '/v1/contacts/confirm', { token })).toMatchObject({ status: 200, body: { email: to, emailStatus: 'confirmed' } });

    gateway.child.kill('SIGTERM');
    expect(await gateway.exited).toBe(0);
  }, 60_000);

  it('D4.5: the mail account may subscribe to v1/outbox/email, not to v1/# (SUBACK 0x80); a wrong password stops the gateway with one line, exit 1', async () => {
    const r = await tryConnect(stack.mqttUrl, { username: 'anshin-mail', password: MAIL_PASSWORD, clientId: `mail-auth-probe-${process.pid}` });
    if (!('client' in r)) throw new Error(`anshin-mail refused with CONNACK ${r.refused}`);
    clients.push(r.client);
    expect(await granted(r.client, ['v1/#'])).toEqual([0x80]);
    expect(await granted(r.client, [topics.outboxEmail])).toEqual([1]);

    const wrong = await runCli(['mail-gateway'], { MQTT_URL: stack.mqttUrl, MQTT_USERNAME: 'anshin-mail', MQTT_PASSWORD: 'not-the-password', SMTP_URL: smtp.url, LOG_LEVEL: 'silent' });
    expect(wrong.code).toBe(1);
    const lines = wrong.stderr.trim().split('\n');
    expect(lines, wrong.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^error: broker mqtt:\/\/\S+ refused the connection: .*\(CONNACK 5\); check MQTT_USERNAME \/ MQTT_PASSWORD \(user anshin-mail\)$/);
  }, 60_000);
});
