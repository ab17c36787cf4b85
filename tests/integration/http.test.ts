import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { topics, type Case } from '../../protocol/index.js';
import { FeedClient } from '../helpers/feed-client.js';
import { metricValue, RawMqttClient, validEvent } from '../helpers/raw-mqtt.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';
import { vin } from '../helpers/vins.js';

const TOKEN = 'secret-token-123';

interface RawResponse {
  status: number;
  text: string;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  headers: Headers;
}

/** fetch with exactly the headers given (the stack helper adds the token and an operator id). */
async function raw(base: string, method: string, path: string, opts: { body?: string; headers?: Record<string, string> } = {}): Promise<RawResponse> {
  const res = await fetch(`${base}${path}`, { method, headers: opts.headers ?? {}, ...(opts.body !== undefined ? { body: opts.body } : {}) });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, text, body, headers: res.headers };
}

/** Tries a feed upgrade; resolves with 101 when it opens, else the HTTP status and body of the refusal. */
function upgrade(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on('error', () => {});
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error('the feed upgrade got no answer'));
    }, 5_000);
    ws.once('open', () => {
      clearTimeout(timer);
      ws.close();
      resolve({ status: 101, body: '' });
    });
    ws.once('unexpected-response', (req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        clearTimeout(timer);
        req.destroy();
        resolve({ status: res.statusCode ?? 0, body });
      });
    });
  });
}

/** Contract "HTTP": errors are JSON `{error, message}`, never a stack trace. */
function expectErrorBody(res: RawResponse, status: number, error?: string): void {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  expect(typeof res.body).toBe('object');
  expect(typeof res.body.error).toBe('string');
  expect(typeof res.body.message).toBe('string');
  if (error) expect(res.body.error).toBe(error);
  expect(res.body).not.toHaveProperty('stack');
  expect(res.text).not.toMatch(/\n\s+at |node_modules|\.ts:\d+/);
}

describe('HTTP API: auth, errors, docs, metrics, readiness (API_TOKEN set)', () => {
  let stack: TestStack;
  let car: RawMqttClient;
  let caseOfCar: Case;
  const V = vin(1);
  const auth = { authorization: `Bearer ${TOKEN}` };

  beforeAll(async () => {
    stack = await startTestStack({ config: { API_TOKEN: TOKEN } });
    car = await RawMqttClient.connect(stack.mqttUrl);
    const feed = await stack.feed();
    const event = validEvent(V, 'sos');
    await car.publish(topics.event(V, 'sos'), JSON.stringify(event));
    caseOfCar = (await feed.next<{ type: 'case.opened'; case: Case }>((m) => m.type === 'case.opened')).case;
  });
  afterAll(async () => {
    await car?.end();
    await stack?.close();
  });

  const routes = (): Array<[string, string, string?]> => [
    ['GET', '/v1/cases'],
    ['GET', '/v1/cases?status=closed'],
    ['GET', `/v1/cases/${caseOfCar.id}`],
    ['POST', `/v1/cases/${caseOfCar.id}/answer`, '{}'],
    ['POST', `/v1/cases/${caseOfCar.id}/hangup`, '{}'],
    ['POST', `/v1/cases/${caseOfCar.id}/callback`, '{}'],
    ['POST', `/v1/cases/${caseOfCar.id}/close`, '{"resolution":"accidental"}'],
    ['GET', `/v1/sessions/${caseOfCar.sessionId}`],
    ['GET', `/v1/vehicles/${V}/lockout`],
    ['POST', `/v1/vehicles/${vin(2)}/remote-operations`, '{"operation":"door_unlock"}'],
    ['PUT', `/v1/vehicles/${vin(2)}/wifi`, '{"enabled":true}'],
    ['GET', `/v1/vehicles/${V}/security-alerts`],
    ['GET', `/v1/vehicles/${V}/impacts`],
    ['GET', `/v1/vehicles/${V}/commands`],
  ];

  it('every /v1 route answers 401 unauthorized without the token, with a wrong one, or with another scheme; nothing happens', async () => {
    const refusals: Array<Record<string, string>> = [
      {},
      { authorization: 'Bearer wrong-token-456' },
      { authorization: `Bearer ${TOKEN}x` },
      { authorization: `Basic ${Buffer.from(`op:${TOKEN}`).toString('base64')}` },
      { authorization: TOKEN },
    ];
    for (const [method, path, body] of routes()) {
      for (const headers of refusals) {
        const res = await raw(stack.httpUrl, method, path, {
          headers: { ...headers, 'x-operator-id': 'op-1', ...(body ? { 'content-type': 'application/json' } : {}) },
          ...(body ? { body } : {}),
        });
        expectErrorBody(res, 401, 'unauthorized');
      }
    }
    // None of the refused requests did anything: the case is untouched, no command went to the car.
    const c = await stack.http('GET', `/v1/cases/${caseOfCar.id}`);
    expect(c.status).toBe(200);
    expect(c.body).toMatchObject({ status: 'open', session: { state: 'ringing' } });
    expect(c.body.operatorId).toBeUndefined();
    expect((await stack.http('GET', `/v1/vehicles/${vin(2)}/commands`)).body).toEqual([]);
  });

  it('the token cannot be bypassed by spelling the path differently', async () => {
    for (const path of ['/%761/cases', '/v%31/cases', '//v1/cases', '/v1/%63ases', '/V1/cases', '/v1/cases/', `/v1/cases/${caseOfCar.id}/%61nswer`]) {
      const res = await raw(stack.httpUrl, path.includes('answer') ? 'POST' : 'GET', path, { headers: { 'x-operator-id': 'op-1' } });
      expect([401, 404], `${path} -> ${res.status} ${res.text.slice(0, 200)}`).toContain(res.status);
    }
    expect((await raw(stack.httpUrl, 'HEAD', '/v1/cases')).status).toBe(401);
    expect((await raw(stack.httpUrl, 'HEAD', '/%761/cases')).status).toBe(401);
    const c = await stack.http('GET', `/v1/cases/${caseOfCar.id}`);
    expect(c.body.operatorId).toBeUndefined();
  });

  it('with the token every /v1 read answers', async () => {
    for (const [method, path] of routes().filter(([m]) => m === 'GET')) {
      const res = await raw(stack.httpUrl, method, path, { headers: auth });
      expect(res.status, path).toBe(200);
    }
  });

  it('the feed refuses the upgrade without the token, accepts the bearer header or ?token=', async () => {
    const ws = `${stack.httpUrl.replace(/^http/, 'ws')}/v1/operator/ws`;
    const feedsBefore = stack.service.feed.size;
    for (const [url, headers] of [
      [ws, {}],
      [`${ws}?token=wrong-token-456`, {}],
      [ws, { authorization: 'Bearer wrong-token-456' }],
      [`${ws}?since=0`, {}],
    ] as const) {
      const refused = await upgrade(url, headers);
      expect(refused.status, url).toBe(401);
      expect(JSON.parse(refused.body)).toMatchObject({ error: 'unauthorized' });
    }
    expect(stack.service.feed.size).toBe(feedsBefore);

    const byQuery = await FeedClient.connect(`${ws}?token=${TOKEN}`);
    try {
      const snap = await byQuery.next((m) => m.type === 'snapshot');
      expect((snap as { cases: Case[] }).cases.map((c) => c.id)).toContain(caseOfCar.id);
    } finally {
      byQuery.close();
    }
    const byHeader = await FeedClient.connect(ws, TOKEN);
    try {
      await byHeader.next((m) => m.type === 'snapshot');
    } finally {
      byHeader.close();
    }
    // ?token= is for the WebSocket only; it does not open the REST routes.
    expectErrorBody(await raw(stack.httpUrl, 'GET', `/v1/cases?token=${TOKEN}`), 401, 'unauthorized');
  });

  it('/healthz, /readyz, /metrics and /docs stay open without the token', async () => {
    expect((await raw(stack.httpUrl, 'GET', '/healthz')).status).toBe(200);
    expect((await raw(stack.httpUrl, 'GET', '/readyz')).status).toBe(200);
    expect((await raw(stack.httpUrl, 'GET', '/metrics')).status).toBe(200);
    expect((await raw(stack.httpUrl, 'GET', '/docs/json')).status).toBe(200);
  });

  it('unknown case, session and route: 404 with their codes', async () => {
    expectErrorBody(await raw(stack.httpUrl, 'GET', '/v1/cases/01JDXNOSUCHCASE00000000000', { headers: auth }), 404, 'case_not_found');
    expectErrorBody(await raw(stack.httpUrl, 'POST', '/v1/cases/01JDXNOSUCHCASE00000000000/answer', { headers: { ...auth, 'x-operator-id': 'op-1' } }), 404, 'case_not_found');
    expectErrorBody(
      await raw(stack.httpUrl, 'POST', '/v1/cases/01JDXNOSUCHCASE00000000000/close', { headers: { ...auth, 'x-operator-id': 'op-1', 'content-type': 'application/json' }, body: '{"resolution":"other"}' }),
      404,
      'case_not_found',
    );
    expectErrorBody(await raw(stack.httpUrl, 'GET', '/v1/sessions/01JDXNOSUCHSESSION00000000', { headers: auth }), 404, 'session_not_found');
    expectErrorBody(await raw(stack.httpUrl, 'GET', '/nope'), 404, 'not_found');
    expectErrorBody(await raw(stack.httpUrl, 'GET', '/v1/nope', { headers: auth }), 404, 'not_found');
    expectErrorBody(await raw(stack.httpUrl, 'DELETE', `/v1/cases/${caseOfCar.id}`, { headers: auth }), 404, 'not_found');
  });

  it('a malformed percent-encoding in the path: 400 in the same error shape, with or without the token', async () => {
    expectErrorBody(await raw(stack.httpUrl, 'GET', '/v1/cases/%E0%A4%A', { headers: auth }), 400, 'bad_request');
    expectErrorBody(await raw(stack.httpUrl, 'GET', '/v1/cases/%E0%A4%A'), 400, 'bad_request');
  });

  it('bad bodies, bad path values and bad query values: 400 validation_failed', async () => {
    const json = { ...auth, 'x-operator-id': 'op-1', 'content-type': 'application/json' };
    expectErrorBody(await raw(stack.httpUrl, 'POST', `/v1/cases/${caseOfCar.id}/close`, { headers: json, body: '{"resolution":"Not A Code!"}' }), 400, 'validation_failed');
    expectErrorBody(await raw(stack.httpUrl, 'POST', `/v1/cases/${caseOfCar.id}/close`, { headers: json, body: '{}' }), 400, 'validation_failed');
    expectErrorBody(await raw(stack.httpUrl, 'POST', `/v1/vehicles/${vin(3)}/remote-operations`, { headers: json, body: '{"operation":"self_destruct"}' }), 400, 'validation_failed');
    expectErrorBody(await raw(stack.httpUrl, 'PUT', `/v1/vehicles/${vin(3)}/wifi`, { headers: json, body: '{"enabled":"maybe"}' }), 400, 'validation_failed');
    // No coercion of bodies: a string or a one-element array is not a boolean or an operation.
    expectErrorBody(await raw(stack.httpUrl, 'PUT', `/v1/vehicles/${vin(3)}/wifi`, { headers: json, body: '{"enabled":"true"}' }), 400, 'validation_failed');
    expectErrorBody(await raw(stack.httpUrl, 'POST', `/v1/vehicles/${vin(3)}/remote-operations`, { headers: json, body: '{"operation":["horn"]}' }), 400, 'validation_failed');
    expectErrorBody(await raw(stack.httpUrl, 'GET', '/v1/cases?status=pending', { headers: auth }), 400, 'validation_failed');
    expectErrorBody(await raw(stack.httpUrl, 'GET', '/v1/cases/not%20an%20id!', { headers: auth }), 400, 'validation_failed');
    // A VIN that is not ISO 3779 in the path.
    for (const bad of ['BADVIN', 'JT2AE92E3KI000001', 'jt2ae92e3k0000001', 'JT2AE92E3K00000011']) {
      expectErrorBody(await raw(stack.httpUrl, 'GET', `/v1/vehicles/${bad}/lockout`, { headers: auth }), 400, 'validation_failed');
      expectErrorBody(await raw(stack.httpUrl, 'POST', `/v1/vehicles/${bad}/remote-operations`, { headers: json, body: '{"operation":"horn"}' }), 400, 'validation_failed');
    }
    // None of it reached a car.
    expect((await stack.http('GET', `/v1/vehicles/${vin(3)}/commands`)).body).toEqual([]);
  });

  it('operator actions without an operator id: 400 operator_required, and the case is untouched', async () => {
    for (const headers of [auth, { ...auth, 'x-operator-id': '' }, { ...auth, 'x-operator-id': 'op 1; drop' }]) {
      expectErrorBody(await raw(stack.httpUrl, 'POST', `/v1/cases/${caseOfCar.id}/answer`, { headers }), 400, 'operator_required');
    }
    expectErrorBody(
      await raw(stack.httpUrl, 'POST', `/v1/cases/${caseOfCar.id}/answer`, { headers: { ...auth, 'content-type': 'application/json' }, body: '{}' }),
      400,
      'operator_required',
    );
    const c = await stack.http('GET', `/v1/cases/${caseOfCar.id}`);
    expect(c.body.operatorId).toBeUndefined();
    expect(c.body.session.state).toBe('ringing');
  });

  it('malformed JSON, wrong content type and an oversized body: JSON errors with 400, 415 and 413, and the case is untouched', async () => {
    const headers = { ...auth, 'x-operator-id': 'op-1', 'content-type': 'application/json' };
    const malformed = await raw(stack.httpUrl, 'POST', `/v1/cases/${caseOfCar.id}/close`, { headers, body: '{"resolution":' });
    expectErrorBody(malformed, 400);
    const text = await raw(stack.httpUrl, 'POST', `/v1/cases/${caseOfCar.id}/close`, { headers: { ...headers, 'content-type': 'text/plain' }, body: 'resolution=other' });
    expectErrorBody(text, 400, 'validation_failed');
    const xml = await raw(stack.httpUrl, 'POST', `/v1/cases/${caseOfCar.id}/close`, { headers: { ...headers, 'content-type': 'application/xml' }, body: '<resolution>other</resolution>' });
    expectErrorBody(xml, 415);
    const big = await raw(stack.httpUrl, 'POST', `/v1/cases/${caseOfCar.id}/close`, { headers, body: JSON.stringify({ resolution: 'other', note: 'x'.repeat(70 * 1024) }) });
    expectErrorBody(big, 413, 'payload_too_large');
    const c = await stack.http('GET', `/v1/cases/${caseOfCar.id}`);
    expect(c.body.status).toBe('open');
  });

  it('GET /docs/json is an OpenAPI document listing the contract routes', async () => {
    const res = await raw(stack.httpUrl, 'GET', '/docs/json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toMatch(/^3\./);
    const paths = res.body.paths as Record<string, Record<string, unknown>>;
    const expected: Array<[string, string]> = [
      ['/v1/cases', 'get'],
      ['/v1/cases/{id}', 'get'],
      ['/v1/cases/{id}/answer', 'post'],
      ['/v1/cases/{id}/hangup', 'post'],
      ['/v1/cases/{id}/callback', 'post'],
      ['/v1/cases/{id}/close', 'post'],
      ['/v1/sessions/{id}', 'get'],
      ['/v1/vehicles/{vin}/lockout', 'get'],
      ['/v1/vehicles/{vin}/remote-operations', 'post'],
      ['/v1/vehicles/{vin}/wifi', 'put'],
      ['/v1/vehicles/{vin}/security-alerts', 'get'],
    ];
    for (const [path, method] of expected) expect(paths[path]?.[method], `${method.toUpperCase()} ${path}`).toBeDefined();
    // The 423 of a lockout is documented, and the bearer scheme is declared since API_TOKEN is set.
    expect(JSON.stringify(paths['/v1/vehicles/{vin}/remote-operations'])).toContain('423');
    expect(res.body.components?.securitySchemes?.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('GET /metrics is Prometheus text with the service metrics, counting what happened', async () => {
    const feed = await stack.feed();
    await feed.next((m) => m.type === 'snapshot');
    const res = await raw(stack.httpUrl, 'GET', '/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    for (const [name, type] of [
      ['anshin_events_total', 'counter'],
      ['anshin_cases_opened_total', 'counter'],
      ['anshin_feed_clients', 'gauge'],
      ['anshin_ingest_to_feed_seconds', 'histogram'],
      ['anshin_ingest_rejections_total', 'counter'],
    ]) {
      expect(res.text).toContain(`# TYPE ${name} ${type}`);
    }
    expect(metricValue(res.text, 'anshin_events_total', { type: 'sos' })).toBe(1);
    expect(metricValue(res.text, 'anshin_cases_opened_total', { trigger: 'sos' })).toBe(1);
    expect(metricValue(res.text, 'anshin_ingest_to_feed_seconds_count')).toBe(1);
    expect(metricValue(res.text, 'anshin_feed_clients')).toBeGreaterThanOrEqual(1);
    feed.close();
  });

  it('/readyz is 200 with the store and broker checks ok; /healthz is 200', async () => {
    const ready = await raw(stack.httpUrl, 'GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ checks: { store: 'ok', broker: 'ok' } });
    const health = await raw(stack.httpUrl, 'GET', '/healthz');
    expect(health.status).toBe(200);
  });
});
