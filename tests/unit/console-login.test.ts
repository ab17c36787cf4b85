/**
 * Issue 11, the console's side of AUTH=on (lib/auth.ts, lib/api.ts): a 401 that names the login asks
 * for a login rather than the API token, the login is kept for the tab and its operator is the one the
 * requests name, and a logout forgets it.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createApi, logIn } from '../../services/console/web/lib/api.js';
import { authMode, readLogin, readToken, tokenGate } from '../../services/console/web/lib/auth.js';

const memory = new Map<string, string>();
beforeEach(() => {
  memory.clear();
  vi.stubGlobal('sessionStorage', {
    getItem: (k: string) => memory.get(k) ?? null,
    setItem: (k: string, v: string) => void memory.set(k, v),
    removeItem: (k: string) => void memory.delete(k),
  });
});
afterEach(() => {
  vi.unstubAllGlobals();
});

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const LOGIN = { token: 'tok-sato', expiresAt: '2026-11-21T22:00:00.000Z', operator: { username: 'sato', displayName: 'Sato K.', role: 'operator' as const } };

describe('console: operator login (AUTH=on)', () => {
  it('a 401 naming the login asks for a login; after it, requests carry its token and name its operator', async () => {
    const seen: Headers[] = [];
    const bodies: unknown[] = [];
    const fetch = vi.fn(async (url: RequestInfo | URL, init?: RequestInit) => {
      const h = new Headers(init?.headers);
      seen.push(h);
      bodies.push(init?.body ? JSON.parse(String(init.body)) : undefined);
      if (String(url).endsWith('/v1/auth/login')) return json(LOGIN);
      return h.get('authorization') === 'Bearer tok-sato' ? json({ id: 'c1' }) : json({ error: 'unauthorized', message: 'log in', login: '/v1/auth/login' }, 401);
    });
    const unauthorized = vi.fn(async (_reason: string, mode?: string) => {
      expect(mode).toBe('login');
      return (await logIn('sato', 'operator-password', fetch as typeof globalThis.fetch)).token;
    });
    const api = createApi({ operatorId: () => 'settings-operator', unauthorized, fetch: fetch as typeof globalThis.fetch });
    expect(await api.answer('c1')).toEqual({ id: 'c1' });
    expect(unauthorized).toHaveBeenCalledTimes(1);
    expect(readLogin()).toEqual(LOGIN);
    expect(readToken()).toBe('tok-sato');
    expect(authMode()).toBe('login');
    // The retried answer names the logged-in operator, not the one in the settings.
    expect(seen.at(-1)!.get('x-operator-id')).toBe('sato');
    expect(bodies.at(-1)).toEqual({ operatorId: 'sato' });
    await api.logout();
    expect(readLogin()).toBeNull();
    expect(seen.at(-1)!.get('authorization')).toBe('Bearer tok-sato');
  });

  it('a refused login throws the service’s words and keeps nothing; the gate does not store a login token as the API token', async () => {
    const fetch = async () => json({ error: 'invalid_credentials', message: 'unknown username or wrong password' }, 401);
    await expect(logIn('sato', 'wrong', fetch as typeof globalThis.fetch)).rejects.toMatchObject({ status: 401, code: 'invalid_credentials', message: 'unknown username or wrong password' });
    expect(readLogin()).toBeNull();
    const gate = tokenGate(async () => 'tok-from-login');
    expect(await gate('log in', 'login')).toBe('tok-from-login');
    expect(memory.get('anshin.apiToken')).toBeUndefined();
  });
});
