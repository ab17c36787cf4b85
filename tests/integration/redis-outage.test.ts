/**
 * A Redis outage: the store must fail fast (so the service does not ack the MQTT message and the broker
 * redelivers it), never hang, and carry on by itself once Redis is back. These tests stop and restart
 * a redis-server process of their own (lib/process/redis-server.ts).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FeedMessage } from '../../protocol/index.js';
import { createRedisStore, type RedisStore } from '../../services/incident/store/redis-store.js';
import { startRedisServer, uniquePrefix, type RedisServer } from '../helpers/redis.js';
import { change, openCase, VINS, waitFor } from '../helpers/store-contract.js';

let server: RedisServer | undefined;
let store: RedisStore | undefined;
afterEach(async () => {
  await store?.close();
  await server?.close();
  store = server = undefined;
});

/** Until the store answers again (it reconnects on its own). */
async function waitForPing(s: RedisStore, timeoutMs: number): Promise<void> {
  await vi.waitFor(() => s.ping(), { timeout: timeoutMs, interval: 50 });
}

async function elapsed<T>(p: Promise<T>): Promise<{ ms: number; error: unknown }> {
  const started = performance.now();
  try {
    await p;
    return { ms: performance.now() - started, error: null };
  } catch (error) {
    return { ms: performance.now() - started, error };
  }
}

describe('RedisStore during a Redis outage', () => {
  it('ping and commit fail fast while Redis is down; both work again after it restarts, data kept (AOF)', async () => {
    server = await startRedisServer({ appendonly: true });
    store = await createRedisStore({ url: server.url, keyPrefix: uniquePrefix('outage'), commandTimeoutMs: 1_000 });
    const heard: FeedMessage[] = [];
    store.onFeed((m) => heard.push(m));
    await openCase(store, 'before', VINS[0]);

    await server.stop();
    const ping = await elapsed(store.ping());
    expect(ping.error).toBeInstanceOf(Error);
    expect(ping.ms).toBeLessThan(1_500);
    const commit = await elapsed(store.commit(change(VINS[1], 0)));
    expect(commit.error).toBeInstanceOf(Error);
    expect(commit.ms).toBeLessThan(1_500);

    await server.start();
    await waitForPing(store, 10_000);
    expect((await store.listCases('open')).map((c) => c.id)).toEqual(['before']);
    const after = await openCase(store, 'after', VINS[1]);
    expect(after[0]!.seq).toBe(2);
    // The feed reader reconnected on its own and missed nothing.
    await waitFor(() => heard.length >= 2, 10_000, 'feed after restart');
    expect(heard.map((m) => m.seq)).toEqual([1, 2]);
  });

  it('a Redis that hangs (SIGSTOP) makes commits fail after commandTimeoutMs instead of hanging', async () => {
    server = await startRedisServer();
    store = await createRedisStore({ url: server.url, keyPrefix: uniquePrefix('hang'), commandTimeoutMs: 500 });
    await openCase(store, 'before', VINS[0]);
    const pid = server.pid!;
    process.kill(pid, 'SIGSTOP');
    try {
      const commit = await elapsed(store.commit(change(VINS[1], 0)));
      expect(commit.error).toBeInstanceOf(Error);
      expect((commit.error as Error).message).toMatch(/timed out/i);
      expect(commit.ms).toBeGreaterThanOrEqual(450);
      expect(commit.ms).toBeLessThan(1_500);
      const ping = await elapsed(store.ping());
      expect(ping.error).toBeInstanceOf(Error);
      expect(ping.ms).toBeLessThan(1_500);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    await waitForPing(store, 10_000);
    // The timed-out commit had reached Redis and ran once it woke up: its outcome was unknown to the
    // caller, which is why the service must not ack the event and must read again on redelivery.
    expect((await store.loadVehicle(VINS[1])).vehicle.version).toBe(1);
    expect((await openCase(store, 'after', VINS[2]))[0]!.seq).toBe(2);
  });

  it('follows a Redis that came back empty (no persistence) instead of waiting for old seqs', async () => {
    server = await startRedisServer({ appendonly: false });
    store = await createRedisStore({ url: server.url, keyPrefix: uniquePrefix('empty'), commandTimeoutMs: 1_000 });
    const heard: number[] = [];
    store.onFeed((m) => heard.push(m.seq));
    for (let i = 0; i < 3; i++) await openCase(store, `c${i}`, VINS[i]!);
    await waitFor(() => heard.length >= 3, 5_000, 'first messages');

    await server.stop();
    await server.start();
    await waitForPing(store, 10_000);
    // The data is gone; seq starts again at 1 and the feed still flows.
    expect(await store.listCases('open')).toEqual([]);
    await openCase(store, 'new', VINS[0]);
    await waitFor(() => heard.length >= 4, 10_000, 'feed after an empty restart');
    expect(heard).toEqual([1, 2, 3, 1]);
  });
});
