import { describe, expect, it } from 'vitest';
import type { Stack } from '../../services/stack.js';
import { testVin } from '../helpers/browser-cars.js';
import { axeSerious, useConsoleE2e } from '../helpers/console-e2e.js';
import { openConsole, queueRows } from '../helpers/browser.js';

const TOKEN = 'console-e2e-token-1234';
const e2e = useConsoleE2e({ API_TOKEN: TOKEN });

/** Resolves whether the stack closed in time. */
async function closesWithin(s: Stack, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  const closed = await Promise.race([s.close().then(() => true), timeout]);
  clearTimeout(timer);
  return closed;
}

describe('console e2e: API token', () => {
  it('asks once for the token when the service answers 401, keeps it in sessionStorage only, then works', async () => {
    const { browser, stack, fleet } = e2e;
    const vin = testVin('JTAUTH', 1);
    await fleet.fire('sos', vin, {});
    const { page, errors } = await openConsole(browser, stack.httpUrl, { waitLive: false });
    const dialog = page.getByRole('dialog', { name: 'API token' });
    await dialog.waitFor({ timeout: 5000 });
    // Issue 14: the token dialog passes axe-core too.
    expect(await axeSerious(page)).toEqual([]);
    await page.getByRole('textbox', { name: 'API token' }).fill(TOKEN);
    await page.getByRole('button', { name: 'Use token' }).click();
    await page.locator('[data-conn="live"]').waitFor({ timeout: 5000 });
    await page.locator(`li[data-vin="${vin}"]`).click();
    await page.getByRole('button', { name: 'Answer' }).click();
    await expect.poll(() => page.getByTestId('call-state').getAttribute('data-state')).toBe('connected');
    expect(await queueRows(page).count()).toBe(1);
    expect(await dialog.count()).toBe(0);
    const stored = await page.evaluate(() => ({ session: sessionStorage.getItem('anshin.apiToken'), local: JSON.stringify(localStorage) }));
    expect(stored.session).toBe(TOKEN);
    expect(stored.local).not.toContain(TOKEN);
    // The refused upgrade before the token was entered logs a console error in Chromium; nothing else may.
    expect(errors.filter((e) => !/401|WebSocket/.test(e))).toEqual([]);
  });

  it('does not nag: cancelled, it waits until the operator asks to enter the token', async () => {
    const { page, sockets } = await openConsole(e2e.browser, e2e.stack.httpUrl, { waitLive: false });
    const dialog = page.getByRole('dialog', { name: 'API token' });
    await dialog.waitFor({ timeout: 5000 });
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.locator('[data-conn="unauthorized"]').waitFor({ timeout: 3000 });
    const attempts = sockets.length;
    // Deliberately a duration: the rule is that nothing happens for a while after Cancel. 3 s spans the
    // feed socket's first reconnect delays (0.5 s, then 1 s), when a nagging console would try again.
    await page.waitForTimeout(3000);
    expect(await dialog.count()).toBe(0);
    expect(sockets.length, 'feed connections tried after Cancel').toBe(attempts);
    await page.getByRole('button', { name: 'Enter API token' }).click();
    await dialog.waitFor({ timeout: 5000 });
    await page.getByRole('textbox', { name: 'API token' }).fill(TOKEN);
    await page.getByRole('button', { name: 'Use token' }).click();
    await page.locator('[data-conn="live"]').waitFor({ timeout: 5000 });
  });

  // Regression (fixed in 1682859): with the auth plugin registered before @fastify/websocket, a refused
  // upgrade's socket was never destroyed and app.close() waited for it forever.
  it('shuts down promptly after the page was refused a feed connection (401 on upgrade)', async () => {
    const { page, sockets } = await openConsole(e2e.browser, e2e.stack.httpUrl, { waitLive: false });
    // The token dialog: the page's feed upgrade was refused (and the probe that followed got 401).
    await page.getByRole('dialog', { name: 'API token' }).waitFor({ timeout: 5000 });
    expect(sockets.length).toBeGreaterThan(0);
    expect(await closesWithin(e2e.stack, 3000)).toBe(true);
  });
});
