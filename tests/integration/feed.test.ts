import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FEED_CLOSE, topics, type Case, type SnapshotMessage } from '../../protocol/index.js';
import type { AnyFeedMessage, FeedClient } from '../helpers/feed-client.js';
import { metricValue, RawMqttClient, validEvent } from '../helpers/raw-mqtt.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';
import { vin } from '../helpers/vins.js';

/**
 * Contract "WebSocket": snapshot in queue order with the current seq, one increasing seq, `since`
 * replays exactly what was missed, `reset: true` when it is too old, 4400 for a bad `since`, 1013 for
 * a consumer that cannot keep up, which then resumes with `since` without gaps.
 */

type Opened = Extract<AnyFeedMessage, { case: Case }> & { type: 'case.opened' };
const isOpened = (m: AnyFeedMessage): m is Opened => m.type === 'case.opened';
const seqs = (ms: AnyFeedMessage[]) => ms.map((m) => m.seq);
const range = (from: number, to: number) => Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
const live = (c: FeedClient) => c.messages.filter((m) => m.type !== 'snapshot');

let vinCounter = 1000;

/** A car-side publisher of valid events for fresh VINs; returns the eventIds. */
async function fire(car: RawMqttClient, n: number, type = 'airbag', data?: Record<string, unknown>): Promise<string[]> {
  const ids: string[] = [];
  const batch: Promise<void>[] = [];
  for (let i = 0; i < n; i++) {
    const v = vin(vinCounter++);
    const event = validEvent(v, type, data ? { data } : {});
    ids.push(String(event.eventId));
    batch.push(car.publish(topics.event(v, type as never), JSON.stringify(event)));
    if (batch.length >= 50) await Promise.all(batch.splice(0));
  }
  await Promise.all(batch);
  return ids;
}

/** The stack under test in the running describe block (its store knows the feed's current seq). */
let current: TestStack;
async function start(config: Parameters<typeof startTestStack>[0] = {}): Promise<TestStack> {
  current = await startTestStack(config);
  return current;
}

/**
 * Waits until `client` has the case.opened of every event in `eventIds`, and then everything the feed
 * has committed so far (the other messages of the same commits may arrive just after case.opened).
 */
async function openedAll(client: FeedClient, eventIds: string[], timeoutMs = 20_000): Promise<void> {
  const wanted = new Set(eventIds);
  await client.count((m) => isOpened(m) && wanted.has(m.case.eventId), wanted.size, timeoutMs);
  const seq = (await current.store.feedSnapshot()).seq;
  await client.next((m) => m.seq >= seq, timeoutMs);
}

function expectContiguousFrom(messages: AnyFeedMessage[], first: number): void {
  const s = seqs(messages);
  expect(s).toEqual(range(first, first + s.length - 1));
}

describe('operator feed: snapshot, seq, since, reset, bad since', () => {
  let stack: TestStack;
  let car: RawMqttClient;
  let watcher: FeedClient; // connected from the start, reads everything

  beforeAll(async () => {
    stack = await start();
    car = await RawMqttClient.connect(stack.mqttUrl);
    watcher = await stack.feed();
    await watcher.next((m) => m.type === 'snapshot');
  });
  afterAll(async () => {
    await car?.end();
    await stack?.close();
  });

  it('snapshot on connect lists the open cases in queue order (priority, then age) with the current seq', async () => {
    const order: Array<[string, Record<string, unknown>?]> = [
      ['trouble'],
      ['sos'],
      ['impact', { deltaVKmh: 3 }], // below the threshold: recorded, no case (D1.2)
      ['airbag'],
      ['sos'],
      ['impact', { deltaVKmh: 25 }],
      ['trouble'],
    ];
    const ids: string[] = [];
    for (const [type, data] of order) {
      const [id] = await fire(car, 1, type, data);
      ids.push(id!);
      // One at a time, so that ages differ and are in this order.
      if (!(type === 'impact' && data?.deltaVKmh === 3)) await openedAll(watcher, [id!]);
    }
    const openedNow = watcher.messages.filter(isOpened).map((m) => m.case);
    const byEvent = (id: string) => openedNow.find((c) => c.eventId === id)!;

    // The operator closes the first trouble call: it leaves the queue.
    const closing = byEvent(ids[0]!);
    expect((await stack.http('POST', `/v1/cases/${closing.id}/hangup`, {})).status).toBe(200);
    expect((await stack.http('POST', `/v1/cases/${closing.id}/close`, { resolution: 'advice_given' })).status).toBe(200);
    await watcher.next((m) => m.type === 'case.closed' && (m as { case: Case }).case.id === closing.id);

    const client = await stack.feed();
    const snap = await client.next<SnapshotMessage>((m) => m.type === 'snapshot');
    expect(snap.reset).toBeUndefined();
    expect(snap.cases.map((c) => c.eventId)).toEqual([ids[3], ids[5], ids[1], ids[4], ids[6]]);
    expect(snap.cases.map((c) => c.priority)).toEqual([1, 1, 2, 2, 3]);
    expect(snap.cases.every((c) => c.status === 'open')).toBe(true);
    // Same cases, same order as the REST queue.
    const rest = await stack.http('GET', '/v1/cases?status=open');
    expect(snap.cases).toEqual(rest.body);
    // Its seq is the last one of the feed: the watcher has exactly up to it, nothing after.
    await watcher.next((m) => m.seq === snap.seq);
    expect(Math.max(...seqs(watcher.messages))).toBe(snap.seq);
    expect(snap.seq).toBeGreaterThan(0);
    client.close();
  });

  it('live messages carry one strictly increasing seq, with no gaps for a client that reads everything', async () => {
    const ids = await fire(car, 5, 'sos');
    await openedAll(watcher, ids);
    const [snapshot, ...rest] = watcher.messages;
    expect(snapshot!.type).toBe('snapshot');
    expectContiguousFrom(rest, snapshot!.seq + 1);
    for (const m of rest) expect(['case.opened', 'case.updated', 'case.closed', 'session.updated', 'lockout.updated']).toContain(m.type);
    for (const m of watcher.messages) expect(Number.isNaN(Date.parse(m.at))).toBe(false);
  });

  it('?since=<seq> replays exactly the missed messages in order, no gaps, no duplicates, then live ones', async () => {
    const first = await stack.feed();
    await first.next((m) => m.type === 'snapshot');
    const idsA = await fire(car, 3);
    await openedAll(first, idsA);
    const lastSeen = Math.max(...seqs(first.messages));
    first.close();
    await first.closed();

    // Missed while away.
    const missedIds = await fire(car, 4, 'sos');
    await openedAll(watcher, missedIds);
    const missed = watcher.messages.filter((m) => m.seq > lastSeen);

    const back = await stack.feed(`since=${lastSeen}`);
    await back.count(() => true, missed.length);
    expect(back.messages.some((m) => m.type === 'snapshot')).toBe(false);
    expect(back.messages.slice(0, missed.length)).toEqual(missed);

    // Then live ones, continuing the same sequence.
    const liveIds = await fire(car, 2);
    await openedAll(back, liveIds);
    await openedAll(watcher, liveIds);
    expectContiguousFrom(back.messages, lastSeen + 1);
    expect(back.messages).toEqual(watcher.messages.filter((m) => m.seq > lastSeen));
    back.close();
  });

  it('?since= while events keep coming: still no gap and no duplicate at the seam', async () => {
    const from = Math.max(...seqs(watcher.messages));
    const background = fire(car, 60, 'trouble');
    // Connect in the middle of the burst.
    await watcher.count((m) => m.seq > from, 10);
    const resumed = await stack.feed(`since=${from}`);
    const ids = await background;
    await openedAll(watcher, ids);
    await openedAll(resumed, ids);
    const last = Math.max(...seqs(watcher.messages));
    await resumed.next((m) => m.seq === last);
    expectContiguousFrom(resumed.messages, from + 1);
    expect(resumed.messages).toEqual(watcher.messages.filter((m) => m.seq > from));
    resumed.close();
  });

  it('?since=<the current seq> replays nothing and goes on live', async () => {
    const now = Math.max(...seqs(watcher.messages));
    const client = await stack.feed(`since=${now}`);
    const ids = await fire(car, 1, 'sos');
    await openedAll(client, ids);
    expect(client.messages.some((m) => m.type === 'snapshot')).toBe(false);
    expectContiguousFrom(client.messages, now + 1);
    client.close();
  });

  it('messages from the client are ignored; one over the 4 KiB frame limit closes only that client (1009)', async () => {
    const chatty = await stack.feed();
    await chatty.next((m) => m.type === 'snapshot');
    chatty.ws.send(JSON.stringify({ type: 'case.closed', seq: 0 }));
    const ids = await fire(car, 1, 'sos');
    await openedAll(chatty, ids);
    chatty.ws.send('x'.repeat(8 * 1024));
    expect(await chatty.closed()).toBe(1009);
    const more = await fire(car, 1, 'sos');
    await openedAll(watcher, more);
    expect(watcher.closeCode).toBeNull();
  });

  it('a garbage since is refused with close code 4400', async () => {
    for (const since of ['abc', '-1', '1.5', '1e3', '0x10', '', '9999999999999999', '12abc']) {
      const client = await stack.feed(`since=${encodeURIComponent(since)}`);
      expect(await client.closed(), `since=${since}`).toBe(FEED_CLOSE.badRequest);
      expect(client.messages).toEqual([]);
    }
    // The feed is fine afterwards.
    const ok = await stack.feed();
    await ok.next((m) => m.type === 'snapshot');
    ok.close();
  });
});

describe('operator feed: since older than the kept history (FEED_HISTORY 100)', () => {
  let stack: TestStack;
  let car: RawMqttClient;
  afterAll(async () => {
    await car?.end();
    await stack?.close();
  });

  it('gives a fresh snapshot with reset: true, listing the open cases at the current seq', async () => {
    stack = await start({ config: { FEED_HISTORY: 100 } });
    car = await RawMqttClient.connect(stack.mqttUrl);
    const watcher = await stack.feed();
    await watcher.next((m) => m.type === 'snapshot');
    const ids: string[] = [];
    while (live(watcher).length <= 130) {
      const batch = await fire(car, 10, 'sos');
      ids.push(...batch);
      await openedAll(watcher, batch);
    }
    const current = Math.max(...seqs(watcher.messages));

    for (const since of [0, 1, current - 120]) {
      const client = await stack.feed(`since=${since}`);
      const snap = await client.next<SnapshotMessage>((m) => m.type === 'snapshot');
      expect(snap.reset, `since=${since}`).toBe(true);
      expect(snap.seq).toBe(current);
      expect(snap.cases.map((c) => c.eventId).sort()).toEqual([...ids].sort());
      expect(client.messages[0]).toBe(snap);
      client.close();
    }

    // Within the kept 100 it still replays, up to the oldest kept message exactly.
    for (const back of [50, 100]) {
      const recent = await stack.feed(`since=${current - back}`);
      await recent.count(() => true, back);
      expect(recent.messages.some((m) => m.type === 'snapshot'), `since=current-${back}`).toBe(false);
      expectContiguousFrom(recent.messages, current - back + 1);
      expect(recent.messages).toEqual(watcher.messages.filter((m) => m.seq > current - back));
      recent.close();
    }
    // One further back is gone: reset.
    const gone = await stack.feed(`since=${current - 101}`);
    expect(await gone.next<SnapshotMessage>((m) => m.type === 'snapshot')).toMatchObject({ reset: true, seq: current });
    gone.close();

    // A seq this feed never reached (e.g. from before a restart of an in-memory service) cannot be replayed either.
    const future = await stack.feed(`since=${current + 1000}`);
    const snap = await future.next<SnapshotMessage>((m) => m.type === 'snapshot');
    expect(snap).toMatchObject({ reset: true, seq: current });
    future.close();
  });
});

describe('operator feed: a consumer that cannot keep up (FEED_MAX_BUFFERED_BYTES 1024)', () => {
  let stack: TestStack;
  let car: RawMqttClient;
  let slow: FeedClient | undefined;
  afterEach(() => {
    // Never leave a paused socket behind.
    (slow?.ws as unknown as { _socket?: { resume(): void } } | undefined)?._socket?.resume();
  });
  afterAll(async () => {
    await car?.end();
    await stack?.close();
  });

  it('is closed with 1013 while the others carry on, and resumes with since without gaps', async () => {
    stack = await start({ config: { FEED_MAX_BUFFERED_BYTES: 1024 } });
    car = await RawMqttClient.connect(stack.mqttUrl);
    const watcher = await stack.feed();
    await watcher.next((m) => m.type === 'snapshot');
    slow = await stack.feed();
    const snap = await slow.next<SnapshotMessage>((m) => m.type === 'snapshot');
    const socket = (slow.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    socket.pause();

    const metrics = async () => (await stack.http('GET', '/metrics')).body as string;
    // Large cases fill the socket buffers with fewer events: every case carries its event's data (the
    // loopback socket buffers hold megabytes before the server sees any backlog).
    const bulky = { deployed: Array.from({ length: 32 }, (_, i) => `airbag_${i}_`.padEnd(64, 'x')), deltaVKmh: 40, vendorDiagnostics: 'x'.repeat(10_000) };
    const ids: string[] = [];
    const deadline = Date.now() + 60_000;
    while (metricValue(await metrics(), 'anshin_feed_slow_consumers_closed_total') === 0) {
      if (Date.now() > deadline) throw new Error(`slow client not closed after ${ids.length} events`);
      ids.push(...(await fire(car, 100, 'airbag', bulky)));
    }
    expect(stack.service.feed.size).toBe(1); // only the watcher is left
    expect(metricValue(await metrics(), 'anshin_feed_clients')).toBe(1);

    // The service did not slow down for it: the watcher has every case, in one gapless sequence.
    await openedAll(watcher, ids, 60_000);
    const final = Math.max(...seqs(watcher.messages));
    expectContiguousFrom(live(watcher), snap.seq + 1);

    // The slow client reads what had reached it, then the 1013 close.
    socket.resume();
    expect(await slow.closed(20_000)).toBe(FEED_CLOSE.tooSlow);
    const got = live(slow);
    expect(got.length).toBeLessThan(live(watcher).length);
    expectContiguousFrom(got, snap.seq + 1);
    const lastSeen = got.length ? got[got.length - 1]!.seq : snap.seq;

    // It resumes with since and ends up with exactly the whole sequence.
    const resumed = await stack.feed(`since=${lastSeen}`);
    await resumed.next((m) => m.seq === final, 30_000);
    expect(resumed.messages.some((m) => m.type === 'snapshot')).toBe(false);
    expectContiguousFrom([...got, ...resumed.messages], snap.seq + 1);
    expect([...got, ...resumed.messages]).toEqual(live(watcher));
    resumed.close();
  }, 120_000);
});

describe('operator feed: epoch (extension), so a resume never mixes two histories', () => {
  afterEach(async () => current?.close());

  it('a resume after the in-memory store restarted, at a seq the new history has passed, gets reset: true', async () => {
    let stack = await start();
    const car = await RawMqttClient.connect(stack.mqttUrl);
    await fire(car, 2);
    const first = await stack.feed();
    const snap = await first.next<SnapshotMessage>((m) => m.type === 'snapshot');
    expect(snap.epoch).toMatch(/^[0-9a-f-]{36}$/);
    await car.end();
    await stack.close();

    stack = await start(); // a new process: a new history whose seq soon passes the old one
    const car2 = await RawMqttClient.connect(stack.mqttUrl);
    const fresh = await fire(car2, 4);
    await car2.end();
    await expect.poll(async () => (await stack.store.feedSnapshot()).seq).toBeGreaterThan(snap.seq);
    const resumed = await stack.feed(`since=${snap.seq}&epoch=${snap.epoch}`);
    const reset = await resumed.next<SnapshotMessage>((m) => m.type === 'snapshot');
    expect(reset.reset).toBe(true);
    expect(reset.epoch).not.toBe(snap.epoch);
    expect(reset.cases.map((c) => c.eventId).sort()).toEqual([...fresh].sort());

    // With the current epoch the same since is an ordinary resume.
    const same = await stack.feed(`since=${snap.seq}&epoch=${reset.epoch}`);
    await same.next((m) => m.seq === snap.seq + 1);
    expect(same.messages.some((m) => m.type === 'snapshot')).toBe(false);
  });

  it('a malformed epoch is refused with 4400', async () => {
    const stack = await start();
    const client = await stack.feed('since=0&epoch=not%20an%20epoch!');
    expect(await client.closed()).toBe(FEED_CLOSE.badRequest);
  });
});
