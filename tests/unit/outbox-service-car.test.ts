import { describe, expect, it } from 'vitest';
import { OutboxEmail, ServiceCarDispatchedMessage, ServiceCarPosition, ServiceCarStep, isBackendOnlyTopic, parseServiceCarTopic, serviceCarPositionFilter, topics, validator } from '../../protocol/index.js';
import { ConfigError } from '../../services/config.js';
import { backoffMs, classify, decodeOutboxEmail, loadMailGatewayConfig } from '../../services/mail-gateway/index.js';
import { getRoute, haversineKm } from '../../simulator/routes/index.js';
import { nearestKm, parseLatLon, servicePath } from '../../simulator/service-car/index.js';

/** Issue 12 parts 5 and 6: the outbox and service-car wire schemas, their topics, and the pure parts of the gateway and the service car. */
const VIN = 'JT2AE92E3K0000001';
const email = validator(OutboxEmail);
const app = validator(ServiceCarDispatchedMessage);
const position = validator(ServiceCarPosition);
const step = validator(ServiceCarStep);
const ok = { v: 1, to: 'hanako@example.jp', subject: '折り返しのお願い', body: 'お電話ください。', kind: 'relay_callback_request' };

describe('protocol: email outbox (D4.5) and service cars (D4.6)', () => {
  it('topics: v1/outbox/email, v1/vehicles/{vin}/app-messages, v1/service-cars/{id}/position', () => {
    expect(topics.outboxEmail).toBe('v1/outbox/email');
    expect(topics.appMessages(VIN)).toBe(`v1/vehicles/${VIN}/app-messages`);
    expect(topics.serviceCarPosition('JAF-Atsugi_07')).toBe('v1/service-cars/JAF-Atsugi_07/position');
    expect(serviceCarPositionFilter).toBe('v1/service-cars/+/position');
    expect(parseServiceCarTopic('v1/service-cars/svc-1/position')).toEqual({ id: 'svc-1' });
    for (const t of ['v1/service-cars/svc-1/positions', 'v1/service-cars/a b/position', 'v1/service-cars/svc-1', `v1/vehicles/${VIN}/telemetry`]) expect(parseServiceCarTopic(t)).toBeNull();
  });

  it('a service car id is a safe topic level: no wildcard, slash, space or empty id, at most 64 characters', () => {
    for (const bad of ['', '+', '#', 'a/b', 'svc 1', 'svc\u0000', 'x'.repeat(65), '$SYS']) expect(() => topics.serviceCarPosition(bad), bad).toThrow(/service car id/);
    expect(topics.serviceCarPosition('x'.repeat(64))).toContain('x'.repeat(64));
  });

  it('the outbox and the app messages are backend-only; service cars publish their own positions', () => {
    expect(isBackendOnlyTopic(topics.outboxEmail)).toBe(true);
    expect(isBackendOnlyTopic(topics.appMessages(VIN))).toBe(true);
    expect(isBackendOnlyTopic(topics.serviceCarPosition('svc-1'))).toBe(false);
  });

  it('OutboxEmail: both kinds; contact_confirmation needs its token; one plain address; a one-line subject; unknown fields ignored', () => {
    expect(email.check(ok)).toBe(true);
    expect(email.check({ ...ok, kind: 'contact_confirmation', token: 'tok_abc-123' })).toBe(true);
    expect(email.check({ ...ok, kind: 'contact_confirmation' })).toBe(false);
    expect(email.check({ ...ok, kind: 'newsletter' })).toBe(false);
    expect(email.check({ ...ok, extra: 'a later field' })).toBe(true);
    for (const to of ['hanako', 'a@b', 'a@example.jp, b@example.jp', 'Hanako <a@example.jp>', 'a @example.jp']) expect(email.check({ ...ok, to }), to).toBe(false);
    for (const subject of ['', 'hi\r\nBcc: x@example.jp', 'hi\nthere']) expect(email.check({ ...ok, subject }), subject).toBe(false);
    expect(email.check({ ...ok, v: 2 })).toBe(false);
  });

  it('ServiceCarPosition {v, ts, position} and the app message {v, kind, caseId, dispatchId, trackUrl}', () => {
    expect(position.check({ v: 1, ts: '2026-12-01T02:00:00.000Z', position: { lat: 35.44, lon: 139.37, trusted: true } })).toBe(true);
    expect(position.check({ v: 1, ts: '2026-12-01T02:00:00.000Z', position: null })).toBe(false);
    const msg = { v: 1, kind: 'service_car_dispatched', caseId: '01KAKF0000000000000000000A', dispatchId: 'd-1', trackUrl: 'https://anshin.example/track/tok123' };
    expect(app.check(msg)).toBe(true);
    expect(app.check({ ...msg, trackUrl: 'javascript:alert(1)' })).toBe(false);
    expect(app.check({ ...msg, kind: 'other' })).toBe(false);
  });

  it('ServiceCarStep: the scenario step {id, from, to, speedKmh}, unknown fields refused', () => {
    const s = { id: 'svc-1', from: { lat: 35.44, lon: 139.37 }, to: { lat: 35.45, lon: 139.39 }, speedKmh: 60 };
    expect(step.check(s)).toBe(true);
    expect(step.check({ ...s, everyS: 2, route: 'tomei' })).toBe(true);
    expect(step.check({ ...s, speed: 60 })).toBe(false);
    expect(step.check({ ...s, id: 'a/b' })).toBe(false);
  });
});

describe('mail gateway: decode, back-off, SMTP failures, configuration', () => {
  const buf = (s: string) => Buffer.from(s);
  it('an outbox payload decodes to its email, or to the code it is dropped with', () => {
    expect(decodeOutboxEmail(buf(JSON.stringify(ok)))).toEqual({ ok: true, email: ok });
    const code = (p: Buffer) => (decodeOutboxEmail(p) as { code: string }).code;
    expect(code(buf('{'))).toBe('malformed_json');
    expect(code(Buffer.alloc(300 * 1024, 0x20))).toBe('payload_too_large');
    expect(code(buf(`${'['.repeat(40)}${']'.repeat(40)}`))).toBe('nesting_too_deep');
    expect(code(buf(JSON.stringify({ ...ok, body: 'x' }).replace('"x"', '"\\ud800"')))).toBe('malformed_unicode');
    expect(code(buf(JSON.stringify({ ...ok, to: 'nobody' })))).toBe('schema_invalid');
  });

  it('back-off doubles from MAIL_RETRY_MIN_MS up to MAIL_RETRY_MAX_MS', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 100].map((n) => backoffMs(n, 1000, 60_000))).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000]);
  });

  it('only a 5xx to RCPT TO or DATA drops a message for good; a refused sender, a 4xx or no connection is retried', () => {
    const err = (o: Record<string, unknown>) => Object.assign(new Error('x'), o);
    expect(classify(err({ code: 'EENVELOPE', command: 'RCPT TO', responseCode: 550 })).permanent).toBe(true);
    expect(classify(err({ code: 'EMESSAGE', command: 'DATA', responseCode: 552 })).permanent).toBe(true);
    expect(classify(err({ code: 'EENVELOPE', command: 'RCPT TO', responseCode: 451 })).permanent).toBe(false);
    expect(classify(err({ code: 'EENVELOPE', command: 'MAIL FROM', responseCode: 553 })).permanent).toBe(false);
    expect(classify(err({ code: 'EAUTH', command: 'AUTH PLAIN', responseCode: 535 })).permanent).toBe(false);
    expect(classify(err({ code: 'ESOCKET', command: 'CONN' })).permanent).toBe(false);
  });

  it('configuration: defaults, and a bad value named without echoing a secret', () => {
    const c = loadMailGatewayConfig({});
    expect([c.MQTT_URL, c.SMTP_URL, c.MAIL_GATEWAY_CLIENT_ID, c.MAIL_RETRY_MIN_MS, c.MAIL_RETRY_MAX_MS]).toEqual(['mqtt://127.0.0.1:1883', 'smtp://127.0.0.1:25', 'anshin-mail-gateway', 1000, 60_000]);
    expect(c.MAIL_FROM).toContain('@');
    expect(() => loadMailGatewayConfig({ SMTP_URL: 'http://user:secret@host' })).toThrow(ConfigError);
    try {
      loadMailGatewayConfig({ SMTP_URL: 'http://user:secret@host' });
    } catch (e) {
      expect((e as Error).message).toMatch(/^SMTP_URL: /);
      expect((e as Error).message).not.toContain('secret');
    }
    expect(() => loadMailGatewayConfig({ MQTT_PASSWORD: 'x' })).toThrow(/MQTT_USERNAME/);
    expect(() => loadMailGatewayConfig({ MAIL_RETRY_MIN_MS: '5000', MAIL_RETRY_MAX_MS: '1000' })).toThrow(/MAIL_RETRY_MAX_MS/);
  });
});

describe('service car path (D4.6)', () => {
  it('parses lat,lon; refuses what is not a point on Earth', () => {
    expect(parseLatLon('35.4413,139.3713')).toEqual({ lat: 35.4413, lon: 139.3713 });
    expect(parseLatLon(' -33.9 , 151.2 ')).toEqual({ lat: -33.9, lon: 151.2 });
    for (const bad of ['35.4', '91,0', '0,181', 'a,b', '35,139,1']) expect(parseLatLon(bad), bad).toBeNull();
  });

  it('without a road: the straight line, from the depot (km 0) to the scene', () => {
    const from = { lat: 35.4413, lon: 139.3713 };
    const to = { lat: 35.4494, lon: 139.3888 };
    const path = servicePath(from, to);
    expect(path.lengthKm).toBeCloseTo(haversineKm(from.lat, from.lon, to.lat, to.lon), 9);
    expect(path.poseAt(0)).toMatchObject(from);
    expect(path.poseAt(path.endKm)).toMatchObject(to);
    expect(servicePath(from, from).lengthKm).toBe(0);
  });

  it('nearestKm: a point of the road is at its own kilometre post', () => {
    const tomei = getRoute('tomei');
    const km = tomei.kmOf('Atsugi IC')!;
    expect(nearestKm(tomei, { lat: 35.4413, lon: 139.3713 })).toBeCloseTo(km, 6);
  });
});
