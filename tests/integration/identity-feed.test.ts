/**
 * Issue 11 on real sockets (what only sockets show): with AUTH=on the feed's upgrade needs a login token
 * (bearer or `?token=`), and an open feed lasts only as long as its token: a logout or an expiry closes
 * it with 4401, which makes the console ask to log in again. And the credentials the API issues are the
 * ones the embedded broker checks cars against.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FEED_CLOSE } from '../../protocol/index.js';
import { VirtualClock } from '../../lib/clock/index.js';
import { FeedClient } from '../helpers/feed-client.js';
import { tryConnect } from '../helpers/mqtt-auth.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';

const ADMIN_PASSWORD = 'admin-password-for-tests';
let stack: TestStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

async function login(s: TestStack): Promise<{ token: string; expiresAt: string }> {
  const res = await fetch(`${s.httpUrl}/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }) });
  expect(res.status).toBe(200);
  return (await res.json()) as { token: string; expiresAt: string };
}

const wsUrl = (s: TestStack, query = '') => `${s.httpUrl.replace(/^http/, 'ws')}/v1/operator/ws${query}`;

describe('issue 11: the feed with AUTH=on', () => {
  it('refuses the upgrade without a login token (401); takes one as bearer or ?token=; a logout closes it with 4401', async () => {
    stack = await startTestStack({ config: { AUTH: 'on', ADMIN_PASSWORD, PASSWORD_SCRYPT_COST: 10 } });
    await expect(FeedClient.connect(wsUrl(stack))).rejects.toThrow(/HTTP 401/);
    await expect(FeedClient.connect(wsUrl(stack, '?token=not-a-token'))).rejects.toThrow(/HTTP 401/);
    const { token } = await login(stack);
    const byQuery = await FeedClient.connect(wsUrl(stack, `?token=${token}`));
    const byHeader = await FeedClient.connect(wsUrl(stack), token);
    await byQuery.next((m) => m.type === 'snapshot');
    await byHeader.next((m) => m.type === 'snapshot');
    const out = await fetch(`${stack.httpUrl}/v1/auth/logout`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect(out.status).toBe(204);
    expect(await byQuery.closed()).toBe(FEED_CLOSE.unauthorized);
    expect(await byHeader.closed()).toBe(FEED_CLOSE.unauthorized);
    await expect(FeedClient.connect(wsUrl(stack, `?token=${token}`))).rejects.toThrow(/HTTP 401/);
  });

  it('closes a feed with 4401 when its token expires', async () => {
    const clock = new VirtualClock(Date.now());
    stack = await startTestStack({ clock, config: { AUTH: 'on', ADMIN_PASSWORD, PASSWORD_SCRYPT_COST: 10, TOKEN_TTL_MINUTES: 5 } });
    const { token } = await login(stack);
    const feed = await FeedClient.connect(wsUrl(stack, `?token=${token}`));
    await feed.next((m) => m.type === 'snapshot');
    await clock.advance(4 * 60_000);
    expect(feed.closeCode).toBeNull();
    await clock.advance(60_000);
    expect(await feed.closed()).toBe(FEED_CLOSE.unauthorized);
  });
});

describe('issue 11: vehicle credentials reach the embedded broker (AUTH=on, the whole stack)', () => {
  it('a car connects with the password PUT /v1/vehicles/{vin}/credentials gave; a rotation disconnects it and refuses the old one', async () => {
    stack = await startTestStack({ config: { AUTH: 'on', ADMIN_PASSWORD, PASSWORD_SCRYPT_COST: 10 } });
    const { token } = await login(stack);
    const car = 'JT2AE92E3K0001601';
    const issue = async () => {
      const res = await fetch(`${stack!.httpUrl}/v1/vehicles/${car}/credentials`, { method: 'PUT', headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(201);
      return ((await res.json()) as { password: string }).password;
    };
    expect(await tryConnect(stack.mqttUrl, { username: car, password: 'not-issued-yet', clientId: car })).toEqual({ refused: 5 });
    const first = await issue();
    const connected = await tryConnect(stack.mqttUrl, { username: car, password: first, clientId: car });
    if (!('client' in connected)) throw new Error(`refused ${connected.refused}`);
    const closed = new Promise<void>((resolve) => connected.client.once('close', () => resolve()));
    const second = await issue();
    await closed;
    expect(await tryConnect(stack.mqttUrl, { username: car, password: first, clientId: car })).toEqual({ refused: 5 });
    const again = await tryConnect(stack.mqttUrl, { username: car, password: second, clientId: car });
    expect('client' in again).toBe(true);
    if ('client' in again) await again.client.endAsync();
  });
});
