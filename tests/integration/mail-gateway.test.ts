import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { topics, type OutboxEmail } from '../../protocol/index.js';
import { SystemClock } from '../../lib/clock/index.js';
import { MailGateway } from '../../services/mail-gateway/index.js';
import { startTestBroker, type TestBroker } from '../helpers/sim-broker.js';
import { startTestSmtp, type TestSmtp } from '../helpers/smtp-server.js';

/**
 * Issue 12 part 5 (D4.5): the mail gateway between the email outbox topic and a real SMTP server
 * (smtp-server on loopback), over a real aedes broker. A message is acknowledged only once the SMTP
 * server took it, so nothing is lost while the gateway or the SMTP server is down.
 */
const BIN = resolve(import.meta.dirname, '../../bin/anshin.js');
const FROM = 'anshin test desk <desk@anshin.test>';
const clock = new SystemClock();

interface LogLine {
  level: number;
  msg: string;
  code?: string;
  [k: string]: unknown;
}

function capturedLogger() {
  const lines: LogLine[] = [];
  const logger = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s) as LogLine) });
  return { logger, lines };
}

function email(n: number, over: Partial<OutboxEmail> = {}): OutboxEmail {
  return { v: 1, to: `contact${n}@example.jp`, subject: `Please call us back (${n})`, body: `Message ${n}: your family member's car needs help.\nPlease call 0120-000-000.`, kind: 'relay_callback_request', ...over } as OutboxEmail;
}

describe('mail gateway (D4.5): v1/outbox/email to SMTP', () => {
  let broker: TestBroker;
  let smtp: TestSmtp;
  let publisher: MqttClient;
  const gateways: MailGateway[] = [];
  let run = 0;
  let clientId: string;

  beforeAll(async () => {
    broker = await startTestBroker();
    publisher = await mqtt.connectAsync(broker.url, { protocolVersion: 4, clientId: 'outbox-publisher', reconnectPeriod: 100 });
  });
  afterAll(async () => {
    await publisher.endAsync(true);
    await broker.stop();
  });
  beforeEach(async () => {
    smtp = await startTestSmtp();
    clientId = `mail-gateway-test-${++run}`;
  });
  afterEach(async () => {
    await Promise.all(gateways.splice(0).map((g) => g.stop()));
    await smtp.stop();
  });

  async function gateway(opts: { keepaliveSeconds?: number } = {}) {
    const { logger, lines } = capturedLogger();
    const g = new MailGateway({
      mqtt: { url: broker.url, clientId, ...opts },
      smtp: { url: smtp.url, from: FROM, timeoutMs: 2_000 },
      retry: { minMs: 100, maxMs: 400 },
      clock,
      logger,
    });
    gateways.push(g);
    await g.start();
    return { g, lines };
  }

  const publish = (payload: OutboxEmail | string) => publisher.publishAsync(topics.outboxEmail, typeof payload === 'string' ? payload : JSON.stringify(payload), { qos: 1 });

  it('delivers an email with its to, subject and body, from MAIL_FROM; then acknowledges it', async () => {
    const { g } = await gateway();
    const confirm: OutboxEmail = { v: 1, to: 'hanako@example.jp', subject: '連絡先の確認 / Confirm your contact address', body: '山田様\nこのリンクを開いて確認してください: https://anshin.example/confirm?token=tok_123', kind: 'contact_confirmation', token: 'tok_123' };
    await publish(confirm);
    const mail = await smtp.waitFor(() => true);
    expect(mail.envelopeTo).toEqual(['hanako@example.jp']);
    expect(mail.to).toBe('hanako@example.jp');
    expect(mail.subject).toBe(confirm.subject);
    expect(mail.text).toBe(confirm.body);
    expect(mail.from).toBe('"anshin test desk" <desk@anshin.test>');
    expect(mail.headers.get('x-anshin-kind')).toBe('contact_confirmation');
    await expect.poll(() => g.counters).toEqual({ delivered: 1, dropped: 0, retries: 0, reconnects: 0 });
  });

  it('an invalid outbox message is logged with its code and dropped, not retried; the next one is delivered', async () => {
    const { g, lines } = await gateway();
    await publish('{not json');
    await publish(JSON.stringify({ v: 1, to: 'a@example.jp', subject: 'x', body: 'y', kind: 'contact_confirmation' })); // no token
    await publish(JSON.stringify({ ...email(1), to: 'a@example.jp, b@example.jp' })); // two addresses in one
    await publish(JSON.stringify({ ...email(1), subject: 'x\r\nBcc: victim@example.jp' })); // header injection
    await publish(email(2));
    await smtp.waitFor((m) => m.subject === 'Please call us back (2)');
    expect(smtp.mails.map((m) => m.envelopeTo)).toEqual([['contact2@example.jp']]);
    expect(lines.filter((l) => l.msg.startsWith('outbox message dropped')).map((l) => l.code)).toEqual(['malformed_json', 'schema_invalid', 'schema_invalid', 'schema_invalid']);
    await expect.poll(() => g.counters).toMatchObject({ delivered: 1, dropped: 4, retries: 0 });
  });

  it('a message published while the gateway is down arrives after it starts (persistent session, QoS 1), in order', async () => {
    const first = await gateway(); // the broker now holds a session for clientId
    await first.g.stop();
    for (const n of [1, 2, 3]) await publish(email(n)); // each PUBACKed by the broker, none delivered
    expect(smtp.mails).toEqual([]);
    await gateway();
    await smtp.waitFor((m) => m.subject === 'Please call us back (3)');
    expect(smtp.mails.map((m) => m.subject)).toEqual([1, 2, 3].map((n) => `Please call us back (${n})`));
  });

  it('SMTP down, then up: retried with back-off, delivered once; later messages wait behind it', async () => {
    const { g, lines } = await gateway();
    await smtp.stop();
    await publish(email(1));
    await publish(email(2));
    await expect.poll(() => g.counters.retries, { timeout: 10_000 }).toBeGreaterThanOrEqual(3);
    expect(lines.filter((l) => l.code === 'smtp_unavailable').map((l) => l.retryInMs).slice(0, 3)).toEqual([100, 200, 400]);
    expect(smtp.mails).toEqual([]);
    await smtp.start();
    await smtp.waitFor((m) => m.subject === 'Please call us back (2)');
    // The marker after it arrived, so a second copy of the first would have arrived before it.
    await publish(email(3));
    await smtp.waitFor((m) => m.subject === 'Please call us back (3)');
    expect(smtp.mails.map((m) => m.subject)).toEqual([1, 2, 3].map((n) => `Please call us back (${n})`));
    await expect.poll(() => g.counters).toMatchObject({ delivered: 3, dropped: 0 });
  });

  it('SMTP down longer than the MQTT keep-alive: the broker delivers the message again after the reconnect; still sent once', async () => {
    const { g } = await gateway({ keepaliveSeconds: 1 });
    await smtp.stop();
    await publish(email(1));
    // MQTT.js handles one message at a time, so the PINGRESP waits behind the message being retried:
    // the keep-alive runs out, it reconnects, and the broker sends the unacknowledged message again.
    await expect.poll(() => g.counters.reconnects, { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
    await smtp.start();
    await smtp.waitFor((m) => m.subject === 'Please call us back (1)');
    await publish(email(2));
    await smtp.waitFor((m) => m.subject === 'Please call us back (2)');
    expect(smtp.mails.map((m) => m.subject)).toEqual([1, 2].map((n) => `Please call us back (${n})`));
  });

  it('a recipient the SMTP server refuses for good (550) is dropped as smtp_rejected; the next is delivered', async () => {
    const { g, lines } = await gateway();
    smtp.refuse.add('gone@example.jp');
    await publish(email(1, { to: 'gone@example.jp' }));
    await publish(email(2));
    await smtp.waitFor((m) => m.subject === 'Please call us back (2)');
    expect(smtp.mails).toHaveLength(1);
    expect(lines.find((l) => l.code === 'smtp_rejected')).toMatchObject({ to: 'gone@example.jp', responseCode: 550, command: 'RCPT TO' });
    await expect.poll(() => g.counters).toMatchObject({ delivered: 1, dropped: 1, retries: 0 });
  });

  it('`anshin mail-gateway` (the built CLI) delivers a message and stops on SIGINT with exit 0', async () => {
    const child = spawn(process.execPath, [BIN, 'mail-gateway'], {
      env: { ...process.env, MQTT_URL: broker.url, SMTP_URL: smtp.url, MAIL_FROM: FROM, MAIL_GATEWAY_CLIENT_ID: clientId, LOG_FORMAT: 'json', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    try {
      await expect.poll(() => out, { timeout: 15_000 }).toContain('mail gateway consuming the email outbox');
      await publish(email(7));
      const mail = await smtp.waitFor(() => true);
      expect([mail.to, mail.subject, mail.text]).toEqual(['contact7@example.jp', 'Please call us back (7)', email(7).body]);
      await expect.poll(() => out).toContain('email delivered to the SMTP server');
      child.kill('SIGINT');
      expect(await exited, err).toBe(0);
      expect(out).toContain('mail gateway stopped');
    } finally {
      child.kill('SIGKILL');
    }
  });
});
