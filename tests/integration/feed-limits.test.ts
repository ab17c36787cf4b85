import { Value } from '@sinclair/typebox/value';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { FEED_CLOSE, SnapshotMessage, topics, type Case } from '../../protocol/index.js';
import type { FeedClient } from '../helpers/feed-client.js';
import { metricValue, RawMqttClient, validEvent } from '../helpers/raw-mqtt.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';
import { vin } from '../helpers/vins.js';
import { nonReadingFeed } from '../../qa/chaos/load/probes.js';

/**
 * Issue "no single event that can stall the rest", contract "WebSocket": the snapshot is bounded in
 * bytes (FEED_MAX_SNAPSHOT_BYTES, `truncated`, `totalCases`), a client that does not read is closed
 * with 1013 by the sweep even when nothing new is committed (FEED_STALL_SECONDS), and connections past
 * FEED_MAX_CLIENTS are refused. Real stack, real sockets, the stack's real clock.
 */

let vinCounter = 40_000;
const TYPES = ['airbag', 'sos', 'trouble'] as const;

/**
 * Opens `n` cases on fresh VINs, priorities mixed (airbag P1, sos P2, trouble P3); resolves when all
 * are open, with every open case in queue order and the new ones.
 */
async function openCases(stack: TestStack, n: number, padding = 0): Promise<{ open: Case[]; added: Case[] }> {
  const vins = new Set<string>();
  const car = await RawMqttClient.connect(stack.mqttUrl);
  const before = ((await stack.http('GET', '/v1/cases?status=open')).body as Case[]).length;
  await Promise.all(
    Array.from({ length: n }, (_, i) => {
      const v = vin(vinCounter++);
      vins.add(v);
      const type = TYPES[i % TYPES.length]!;
      const event = validEvent(v, type, padding ? { data: { ...(type === 'airbag' ? { deployed: ['driver_front'] } : {}), vendorDiagnostics: 'x'.repeat(padding) } } : {});
      return car.publish(topics.event(v, type), JSON.stringify(event));
    }),
  );
  await car.end();
  await expect.poll(async () => ((await stack.http('GET', '/v1/cases?status=open')).body as Case[]).length, { timeout: 15_000 }).toBe(before + n);
  const open = (await stack.http('GET', '/v1/cases?status=open')).body as Case[];
  return { open, added: open.filter((c) => vins.has(c.vin)) };
}

const feedUrl = (stack: TestStack, query = '') => `${stack.httpUrl.replace(/^http/, 'ws')}/v1/operator/ws${query ? `?${query}` : ''}`;

/** A feed socket that keeps every message with its size on the wire, from the first byte. */
function rawFeed(url: string) {
  const ws = new WebSocket(url);
  const messages: Array<{ bytes: number; msg: { type: string; seq: number } & Record<string, unknown> }> = [];
  ws.on('message', (data: Buffer) => messages.push({ bytes: data.length, msg: JSON.parse(data.toString()) }));
  let closeCode: number | null = null;
  ws.on('close', (code) => (closeCode = code));
  ws.on('error', () => {});
  return { ws, messages, closeCode: () => closeCode };
}

const closedFor = async (stack: TestStack, reason: string) => metricValue(await stack.service.metrics.registry.metrics(), 'anshin_feed_clients_closed_total', { reason });

describe('operator feed: the snapshot bounded in bytes (FEED_MAX_SNAPSHOT_BYTES 8192)', () => {
  let stack: TestStack;
  const sockets: WebSocket[] = [];
  afterAll(async () => {
    for (const ws of sockets) ws.terminate();
    await stack?.close();
  });

  it('carries the most urgent open cases in queue order that fit, with truncated: true and totalCases; a reset snapshot too', async () => {
    stack = await startTestStack({ config: { FEED_MAX_SNAPSHOT_BYTES: 8192 } });
    const { open } = await openCases(stack, 30, 300);

    for (const query of ['', 'since=999999']) {
      const feed = rawFeed(feedUrl(stack, query));
      sockets.push(feed.ws);
      await expect.poll(() => feed.messages.length).toBeGreaterThan(0);
      const { bytes, msg } = feed.messages[0]!;
      expect(Value.Check(SnapshotMessage, msg)).toBe(true);
      const snap = msg as unknown as SnapshotMessage;
      expect(bytes).toBeLessThanOrEqual(8192);
      expect(snap).toMatchObject({ type: 'snapshot', truncated: true, totalCases: 30, ...(query ? { reset: true } : {}) });
      expect(snap.cases.length).toBeGreaterThan(0);
      expect(snap.cases.length).toBeLessThan(30);
      // The head of the queue (priority, then age), nothing skipped: the same order GET /v1/cases gives.
      expect(snap.cases.map((c) => c.id)).toEqual(open.slice(0, snap.cases.length).map((c) => c.id));
      expect(snap.cases.every((c) => c.priority === 1)).toBe(true);
    }

    // Live messages go on as usual after a truncated snapshot.
    const feed = rawFeed(feedUrl(stack));
    sockets.push(feed.ws);
    await expect.poll(() => feed.messages.length).toBeGreaterThan(0);
    const { added } = await openCases(stack, 1);
    await expect.poll(() => feed.messages.some((m) => m.msg.type === 'case.opened' && (m.msg.case as Case).id === added[0]!.id)).toBe(true);
  });
});

describe('operator feed: a client that stops reading is closed by the sweep (FEED_STALL_SECONDS 2, real clock)', () => {
  let stack: TestStack;
  const sockets: WebSocket[] = [];
  let timer: ReturnType<typeof setInterval> | undefined;
  const stop: Array<() => void> = [];
  afterAll(async () => {
    clearInterval(timer);
    for (const ws of sockets) ws.terminate();
    for (const end of stop) end();
    await stack?.close();
  });

  it('one that never reads gets 1013 within the stall time though nothing is committed; a normal and a slow steady reader carry on', async () => {
    const stallMs = 2000;
    stack = await startTestStack({ config: { FEED_STALL_SECONDS: stallMs / 1000 } });
    await openCases(stack, 20, 2000);
    const watcher: FeedClient = await stack.feed();
    await watcher.next((m) => m.type === 'snapshot');

    // A slow but steady reader: reads for 50 ms, then not for 250 ms, over and over.
    const steady = rawFeed(feedUrl(stack));
    sockets.push(steady.ws);
    await expect.poll(() => steady.messages.length).toBeGreaterThan(0);
    const steadySocket = (steady.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    let tick = 0;
    timer = setInterval(() => (++tick % 6 === 0 ? steadySocket.resume() : steadySocket.pause()), 50);

    const silent = nonReadingFeed(stack.httpUrl);
    stop.push(silent.end);
    const openedAt = await silent.opened;
    await expect.poll(() => stack.service.feed.size).toBe(3);

    // Nothing is committed from here on: only the sweep can find it.
    await expect.poll(() => closedFor(stack, 'stalled'), { timeout: stallMs + 5000, interval: 20 }).toBe(1);
    const closedAfter = performance.now() - openedAt;
    expect(closedAfter).toBeGreaterThanOrEqual(stallMs - 100);
    // The stall time, plus at most one sweep (500 ms here) to send the first ping and one to see it
    // unanswered, plus slack for a loaded machine. Without the sweep it would never be closed.
    expect(closedAfter).toBeLessThan(stallMs + 3000);
    expect(stack.service.feed.size).toBe(2);
    expect(metricValue(await stack.service.metrics.registry.metrics(), 'anshin_feed_slow_consumers_closed_total')).toBe(1);

    // When it reads again, it finds what reached it, then the contract's 1013.
    silent.resume();
    await expect.poll(() => silent.closeCode(), { timeout: 10_000 }).toBe(FEED_CLOSE.tooSlow);

    // The normal client and the steady reader were attached longer than the stall time and still are.
    const { added } = await openCases(stack, 1);
    await watcher.next((m) => m.type === 'case.opened' && m.case.id === added[0]!.id);
    await expect.poll(() => steady.messages.some((m) => m.msg.type === 'case.opened' && (m.msg.case as Case).id === added[0]!.id), { timeout: 5000 }).toBe(true);
    expect(watcher.closeCode).toBeNull();
    expect(steady.closeCode()).toBeNull();
    expect(await closedFor(stack, 'stalled')).toBe(1);
  }, 60_000);
});

describe('operator feed: FEED_MAX_CLIENTS 3', () => {
  let stack: TestStack;
  afterEach(async () => stack?.close());

  it('refuses one connection more with HTTP 503 before the upgrade, and takes one again once a slot is free', async () => {
    stack = await startTestStack({ config: { FEED_MAX_CLIENTS: 3 } });
    const clients = [await stack.feed(), await stack.feed(), await stack.feed()];
    await Promise.all(clients.map((c) => c.next((m) => m.type === 'snapshot')));

    const refused = await new Promise<{ status: number; retryAfter: string | undefined; body: string }>((resolve, reject) => {
      const ws = new WebSocket(feedUrl(stack));
      ws.on('open', () => reject(new Error('the 4th client was let in')));
      ws.on('error', () => {});
      ws.on('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'], body }));
      });
    });
    expect(refused.status).toBe(503);
    expect(refused.retryAfter).toBe('5');
    expect(JSON.parse(refused.body)).toEqual({ error: 'unavailable', message: 'too many feed clients' });
    expect(await closedFor(stack, 'too_many_clients')).toBe(1);
    expect(stack.service.feed.size).toBe(3);
    // The ones inside are untouched.
    expect(clients.map((c) => c.closeCode)).toEqual([null, null, null]);

    clients[0]!.close();
    await expect.poll(() => stack.service.feed.size).toBe(2);
    const again = await stack.feed();
    await again.next((m) => m.type === 'snapshot');
  });
});
