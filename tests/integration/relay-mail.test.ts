/**
 * Issue 12 part 5 (D4.5), the mail actually leaves: the whole stack (embedded broker, incident service,
 * HTTP), the mail gateway (services/mail-gateway, in-process, its own persistent MQTT session) and a
 * real SMTP server (smtp-server on loopback). The owner registers a contact; the contact confirms with
 * the token read from the email the SMTP server received; a trouble call with road service arranged,
 * a relay whose call is not answered: the call-back request arrives at the SMTP server.
 */
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { topics, type Case, type Relay } from '../../protocol/index.js';
import { SystemClock } from '../../lib/clock/index.js';
import { MailGateway } from '../../services/mail-gateway/index.js';
import { RawMqttClient, validEvent } from '../helpers/raw-mqtt.js';
import { startTestSmtp, type TestSmtp } from '../helpers/smtp-server.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';
import { vin } from '../helpers/vins.js';

describe('D4.5 message relay end to end: service -> v1/outbox/email -> mail gateway -> SMTP', () => {
  let stack: TestStack;
  let smtp: TestSmtp;
  let gateway: MailGateway;
  let car: RawMqttClient;
  afterEach(async () => {
    await car?.end();
    await gateway?.stop();
    await stack?.close();
    await smtp?.stop();
  });

  it('D4.5 confirmation email with its token reaches the mailbox; confirmed; phone not answered -> the call-back email reaches the mailbox', async () => {
    smtp = await startTestSmtp();
    stack = await startTestStack();
    gateway = new MailGateway({
      mqtt: { url: stack.mqttUrl, clientId: `relay-mail-test-${process.pid}` },
      smtp: { url: smtp.url, from: 'anshin desk <desk@anshin.test>', timeoutMs: 5_000 },
      retry: { minMs: 100, maxMs: 1_000 },
      clock: new SystemClock(),
      logger: pino({ level: 'silent' }),
    });
    await gateway.start();

    const v = vin(1530);
    const to = 'hanako@example.jp';
    expect((await stack.http('PUT', `/v1/vehicles/${v}/contacts`, { contacts: [{ name: 'Hanako', phone: '090-1234-5678', email: to }] })).status).toBe(200);
    const confirmation = await smtp.waitFor((m) => m.envelopeTo.includes(to) && m.headers.get('x-anshin-kind') === 'contact_confirmation');
    expect(confirmation).toMatchObject({ to, from: expect.stringContaining('desk@anshin.test') });
    // What the contact does: copies the code from the mail it received.
    const token = /^([A-Za-z0-9_-]{43})$/m.exec(confirmation.text)?.[1];
    expect(token, confirmation.text).toBeDefined();
    expect(await stack.http('POST', '/v1/contacts/confirm', { token })).toMatchObject({ status: 200, body: { email: to, emailStatus: 'confirmed' } });

    const feed = await stack.feed();
    car = await RawMqttClient.connect(stack.mqttUrl);
    const e = validEvent(v, 'trouble');
    await car.publish(topics.event(v, 'trouble'), JSON.stringify(e));
    const c = (await feed.next<{ type: string; case: Case }>((m) => m.type === 'case.opened' && (m as { case: Case }).case.eventId === e.eventId)).case;
    expect((await stack.http('POST', `/v1/cases/${c.id}/answer`)).status).toBe(200);
    expect((await stack.http('POST', `/v1/cases/${c.id}/dispatches`, { agency: 'road_service' })).status).toBe(201);
    const relay = (await stack.http('POST', `/v1/cases/${c.id}/relay`, { message: 'The tow truck arrives in 30 minutes' })).body as Relay;
    expect(relay).toMatchObject({ status: 'pending', attempts: [{ channel: 'phone', to: '090-1234-5678', result: 'pending' }] });
    expect(await stack.http('POST', `/v1/cases/${c.id}/relay/${relay.id}/phone-result`, { answered: false })).toMatchObject({ status: 200, body: { status: 'delivered' } });

    const callback = await smtp.waitFor((m) => m.envelopeTo.includes(to) && m.headers.get('x-anshin-kind') === 'relay_callback_request');
    expect(callback.subject).toContain('call the emergency support centre back');
    expect(callback.text).toContain(c.id);
    expect(smtp.mails.map((m) => m.headers.get('x-anshin-kind'))).toEqual(['contact_confirmation', 'relay_callback_request']);
    // Counted once acknowledged on MQTT, just after the SMTP server's 250.
    await expect.poll(() => gateway.counters).toMatchObject({ delivered: 2, dropped: 0 });
  });
});
