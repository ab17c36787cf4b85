import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { topics } from '../../protocol/index.js';
import { RawMqttClient, validEvent } from '../helpers/raw-mqtt.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';
import { vin } from '../helpers/vins.js';

/**
 * Issue "no single event that can stall the rest": a request whose headers or body arrive too slowly
 * is answered 408 within HTTP_REQUEST_TIMEOUT_MS (Fastify's default was 0: never), other requests are
 * served meanwhile, a WebSocket older than the timeout is not cut, and a body over
 * HTTP_BODY_LIMIT_BYTES gets 413. Real server on loopback, raw TCP clients.
 */

const TIMEOUT_MS = 500;

/** A raw HTTP client: writes `head`, then `dribble` one byte every 100 ms; records the answer and when the server closed. */
function slowRequest(port: number, head: string, dribble: boolean) {
  const socket = net.connect(port, '127.0.0.1');
  const startedAt = Date.now();
  const state = { answer: '', closedAfter: null as number | null };
  socket.on('data', (d) => (state.answer += d.toString()));
  socket.on('error', () => {});
  socket.on('close', () => (state.closedAfter = Date.now() - startedAt));
  socket.write(head);
  const timer = dribble
    ? setInterval(() => {
        if (!socket.destroyed) socket.write('x');
      }, 100)
    : undefined;
  return { state, stop: () => (clearInterval(timer), socket.destroy()) };
}

describe(`HTTP limits (HTTP_REQUEST_TIMEOUT_MS ${TIMEOUT_MS}, HTTP_BODY_LIMIT_BYTES 2048)`, () => {
  let stack: TestStack;
  const stops: Array<() => void> = [];
  afterAll(async () => {
    for (const stop of stops) stop();
    await stack?.close();
  });

  it('a body or headers that stop or dribble get 408 request_timeout in time, while other requests and an older feed socket carry on', async () => {
    stack = await startTestStack({ config: { HTTP_REQUEST_TIMEOUT_MS: TIMEOUT_MS, HTTP_BODY_LIMIT_BYTES: 2048 } });
    const port = Number(new URL(stack.httpUrl).port);
    // Opened before the slow requests: by the time they are cut it is older than the request timeout.
    const feed = await stack.feed();
    await feed.next((m) => m.type === 'snapshot');

    const post = 'POST /v1/cases/nope/close HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"resolution":';
    const slow = [
      slowRequest(port, post, false), // the body stops
      slowRequest(port, post, true), // the body dribbles, so the socket is never idle
      slowRequest(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\nx-slow: ', true), // the headers never end
    ];
    stops.push(...slow.map((s) => s.stop));

    // Served meanwhile.
    expect((await stack.http('GET', '/healthz')).status).toBe(200);
    expect((await stack.http('GET', '/v1/cases?status=open')).status).toBe(200);

    await expect.poll(() => slow.every((s) => s.state.closedAfter !== null), { timeout: TIMEOUT_MS + 5000, interval: 20 }).toBe(true);
    for (const { state } of slow) {
      expect(state.answer).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
      expect(JSON.parse(state.answer.slice(state.answer.indexOf('\r\n\r\n') + 4))).toEqual({ error: 'request_timeout', message: 'the request did not arrive in time' });
      expect(state.closedAfter).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
      // The timeout, plus Node's check interval (a quarter of it here) and a loaded machine's slack.
      expect(state.closedAfter).toBeLessThan(TIMEOUT_MS + 2500);
    }

    // The WebSocket upgrade is not a request in progress: the feed is open and live.
    const car = await RawMqttClient.connect(stack.mqttUrl);
    const v = vin(41_000);
    await car.publish(topics.event(v, 'sos'), JSON.stringify(validEvent(v, 'sos')));
    await car.end();
    await feed.next((m) => m.type === 'case.opened' && m.case.vin === v);
    expect(feed.closeCode).toBeNull();
  });

  it('a body over HTTP_BODY_LIMIT_BYTES gets 413 payload_too_large; one under it is read', async () => {
    const big = await stack.http('POST', '/v1/cases/nope/close', { resolution: 'other', note: 'x'.repeat(4096) });
    expect(big.status).toBe(413);
    expect(big.body).toMatchObject({ error: 'payload_too_large' });
    const small = await stack.http('POST', '/v1/cases/nope/close', { resolution: 'other', note: 'x'.repeat(1000) });
    expect(small.status).toBe(404);
  });
});
