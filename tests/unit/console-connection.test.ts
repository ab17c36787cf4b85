import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createApi, ApiError } from '../../services/console/web/lib/api.js';
import { tokenGate } from '../../services/console/web/lib/auth.js';
import { FeedSocket, type ConnectionState } from '../../services/console/web/lib/feed-socket.js';
import type { ServerMessage } from '../../services/console/web/lib/feed-state.js';

/** A WebSocket double: records URLs, lets the test open, message and close each socket. */
class FakeSocket {
  static all: FakeSocket[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number }) => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  open() {
    this.onopen?.();
  }
  receive(msg: object) {
    this.onmessage?.({ data: JSON.stringify(msg) });
  }
  close(code = 1006) {
    this.onclose?.({ code });
  }
}

const memory = new Map<string, string>();
beforeEach(() => {
  vi.useFakeTimers();
  FakeSocket.all = [];
  memory.clear();
  vi.stubGlobal('sessionStorage', {
    getItem: (k: string) => memory.get(k) ?? null,
    setItem: (k: string, v: string) => void memory.set(k, v),
    removeItem: (k: string) => void memory.delete(k),
  });
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

function feed(over: { unauthorized?: () => Promise<boolean>; probe?: () => Promise<'ok' | 'unauthorized'> } = {}) {
  let seq: number | null = null;
  const states: ConnectionState[] = [];
  const messages: ServerMessage[] = [];
  const socket = new FeedSocket({
    url: 'ws://console.test/v1/operator/ws',
    lastSeq: () => seq,
    token: () => memory.get('anshin.apiToken') ?? null,
    onMessage: (m) => {
      messages.push(m);
      seq = m.seq;
    },
    onState: (s) => states.push(s),
    unauthorized: over.unauthorized ?? (async () => false),
    probe: over.probe ?? (async () => 'ok' as const),
    WebSocket: FakeSocket as unknown as typeof WebSocket,
  });
  return { socket, states, messages };
}

describe('console feed connection', () => {
  it('goes live on open, and after a drop shows reconnecting and resumes with ?since=<last seq>', async () => {
    const { socket, states, messages } = feed();
    socket.start();
    FakeSocket.all[0]!.open();
    FakeSocket.all[0]!.receive({ type: 'snapshot', seq: 7, at: 'x', cases: [] });
    expect(FakeSocket.all[0]!.url).toBe('ws://console.test/v1/operator/ws');
    FakeSocket.all[0]!.close(1001);
    await vi.advanceTimersByTimeAsync(499);
    expect(FakeSocket.all).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(FakeSocket.all[1]!.url).toBe('ws://console.test/v1/operator/ws?since=7');
    FakeSocket.all[1]!.open();
    expect(states).toEqual(['connecting', 'live', 'reconnecting', 'reconnecting', 'live']);
    expect(messages.map((m) => m.seq)).toEqual([7]);
    socket.stop();
  });

  it('backs off while the service is down, and a 1013 (too slow) resumes at once', async () => {
    const { socket } = feed();
    socket.start();
    FakeSocket.all[0]!.close();
    await vi.advanceTimersByTimeAsync(500);
    FakeSocket.all[1]!.close();
    await vi.advanceTimersByTimeAsync(999);
    expect(FakeSocket.all).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(FakeSocket.all).toHaveLength(3);
    FakeSocket.all[2]!.open();
    FakeSocket.all[2]!.close(1013);
    await vi.advanceTimersByTimeAsync(0);
    expect(FakeSocket.all).toHaveLength(4);
    socket.stop();
  });

  it('on 4401 asks for the token and reconnects with it; a socket refused before opening is probed over HTTP', async () => {
    const probe = vi.fn(async () => 'ok' as const);
    const unauthorized = vi.fn(async () => {
      memory.set('anshin.apiToken', 's3cret token');
      return true;
    });
    const { socket, states } = feed({ unauthorized, probe });
    socket.start();
    FakeSocket.all[0]!.close();
    expect(probe).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(500);
    FakeSocket.all[1]!.open();
    FakeSocket.all[1]!.close(4401);
    await vi.advanceTimersByTimeAsync(0);
    expect(unauthorized).toHaveBeenCalledTimes(1);
    expect(states).toContain('unauthorized');
    expect(new URL(FakeSocket.all[2]!.url).searchParams.get('token')).toBe('s3cret token');
    socket.stop();
  });

  it('does not ask again and again: a refused upgrade with no token given waits for start()', async () => {
    const probe = vi.fn(async () => 'unauthorized' as const);
    const { socket, states } = feed({ probe });
    socket.start();
    FakeSocket.all[0]!.close();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(FakeSocket.all).toHaveLength(1);
    expect(probe).toHaveBeenCalledTimes(1);
    expect(states.at(-1)).toBe('unauthorized');
    socket.start();
    expect(FakeSocket.all).toHaveLength(2);
    socket.stop();
  });

  it('stops for good when the operator cancels the token question', async () => {
    const { socket } = feed({ unauthorized: async () => false });
    socket.start();
    FakeSocket.all[0]!.open();
    FakeSocket.all[0]!.close(4401);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(FakeSocket.all).toHaveLength(1);
    socket.stop();
  });
});

describe('console HTTP client', () => {
  const ok = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

  it('sends X-Operator-Id and the bearer token; on 401 asks once and retries once', async () => {
    const seen: Headers[] = [];
    const fetch = vi.fn(async (_url: RequestInfo | URL, init?: RequestInit) => {
      const h = new Headers(init?.headers);
      seen.push(h);
      return h.get('authorization') === 'Bearer good' ? ok([]) : ok({ error: 'unauthorized', message: 'Token required' }, 401);
    });
    const unauthorized = vi.fn(async () => {
      memory.set('anshin.apiToken', 'good');
      return 'good';
    });
    const api = createApi({ operatorId: () => 'op-7', unauthorized, fetch: fetch as typeof globalThis.fetch });
    expect(await api.openCases()).toEqual([]);
    expect(unauthorized).toHaveBeenCalledTimes(1);
    expect(seen.map((h) => [h.get('x-operator-id'), h.get('authorization')])).toEqual([
      ['op-7', null],
      ['op-7', 'Bearer good'],
    ]);
  });

  it('throws the service’s message on an error answer (contract: {error, message})', async () => {
    const fetch = async () => ok({ error: 'conflict', message: 'Another operator has this case' }, 409);
    const api = createApi({ operatorId: () => 'op', unauthorized: async () => null, fetch: fetch as typeof globalThis.fetch });
    const err = await api.answer('c1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 409, code: 'conflict', message: 'Another operator has this case' });
  });

  it('asks for the token once however many requests fail together', async () => {
    let answer: (t: string | null) => void = () => {};
    const ask = vi.fn(() => new Promise<string | null>((r) => (answer = r)));
    const gate = tokenGate(ask);
    const both = Promise.all([gate('a'), gate('b')]);
    answer('tok');
    expect(await both).toEqual(['tok', 'tok']);
    expect(ask).toHaveBeenCalledTimes(1);
    expect(memory.get('anshin.apiToken')).toBe('tok');
  });
});
