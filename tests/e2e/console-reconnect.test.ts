import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../../services/stack.js';
import { connectFleet, testVin, type Fleet } from '../helpers/browser-cars.js';
import { startConsoleE2e } from '../helpers/console-e2e.js';
import { openConsole, queueRows } from '../helpers/browser.js';

let stack: Stack;
let browser: Browser;
let fleet: Fleet;

beforeAll(async () => {
  ({ browser, stack, fleet } = await startConsoleE2e());
});
// The second test restarts the stack: close whatever stack and cars are current, not the first ones.
afterAll(async () => {
  await fleet?.close();
  await browser?.close();
  await stack?.close();
});

async function openCaseCount(): Promise<number> {
  return (await stack.store.listCases('open')).length;
}

describe('console e2e: the feed drops and resumes', () => {
  it('shows reconnecting when the server drops the socket, resumes with ?since= and shows a case fired in the gap exactly once', async () => {
    const { page, errors, sockets } = await openConsole(browser, stack.httpUrl);
    const before = testVin('JTBEF', 1);
    await fleet.fire('sos', before, {});
    await page.locator(`li[data-vin="${before}"]`).waitFor({ timeout: 2000 });
    const seqBefore = (await stack.store.feedSnapshot()).seq;

    // Frames the page receives from now on, per socket.
    const frames: { url: string; type: string; seq: number }[] = [];
    page.on('websocket', (ws) =>
      ws.on('framereceived', (f) => {
        const m = JSON.parse(String(f.payload)) as { type: string; seq: number };
        frames.push({ url: ws.url(), type: m.type, seq: m.seq });
      }),
    );

    const reconnecting = page.locator('[data-conn="reconnecting"]').waitFor({ timeout: 3000 });
    // Offline, the page's reconnect attempts fail until the test lets them through: the gap is certain
    // however slow the machine is.
    await page.context().setOffline(true);
    stack.service.feed.dropAll();
    await reconnecting;
    const gap = testVin('JTGAP', 2);
    await fleet.fire('airbag', gap, { deployed: ['driver_front'] });
    await expect.poll(openCaseCount, { interval: 20 }).toBe(2);
    await page.waitForTimeout(700); // at least one failed attempt
    expect(await page.locator(`li[data-vin="${gap}"]`).count()).toBe(0);
    expect(await page.locator('[data-conn="reconnecting"]').count()).toBe(1);
    await page.context().setOffline(false);

    await page.locator('[data-conn="live"]').waitFor({ timeout: 10_000 });
    await page.locator(`li[data-vin="${gap}"]`).waitFor({ timeout: 2000 });
    // It resumed: the socket that got through asked for what came after the last seq it had, and got a
    // replay, no snapshot.
    expect(sockets.length).toBeGreaterThanOrEqual(2);
    expect(sockets.slice(1).every((u) => new URL(u).searchParams.get('since') === String(seqBefore))).toBe(true);
    expect(frames.length).toBeGreaterThan(0);
    expect(frames.every((f) => f.type !== 'snapshot' && f.seq > seqBefore)).toBe(true);

    // Exactly once, and still once a moment later.
    await page.waitForTimeout(300);
    expect(await page.locator(`li[data-vin="${gap}"]`).count()).toBe(1);
    expect(await page.locator(`li[data-vin="${before}"]`).count()).toBe(1);
    expect(await queueRows(page).count()).toBe(2);
    // Chromium logs the attempts made offline; nothing else may fail.
    expect(errors.filter((e) => !/ERR_INTERNET_DISCONNECTED/.test(e))).toEqual([]);
  });

  it('after a service restart with fresh state, a reset snapshot replaces the queue: every case appears once', async () => {
    const { page, errors } = await openConsole(browser, stack.httpUrl);
    await expect.poll(() => queueRows(page).count()).toBe(2);
    const snapshots: { reset?: boolean; cases: unknown[] }[] = [];
    page.on('websocket', (ws) =>
      ws.on('framereceived', (f) => {
        const m = JSON.parse(String(f.payload)) as { type: string; reset?: boolean; cases: unknown[] };
        if (m.type === 'snapshot') snapshots.push(m);
      }),
    );
    const port = Number(new URL(stack.httpUrl).port);
    await page.context().setOffline(true); // until the new stack holds its case (see the first test)
    await fleet.close();
    await stack.close();
    await page.locator('[data-conn="reconnecting"]').waitFor({ timeout: 3000 });

    // Same HTTP port, new in-memory store: the sequence starts again below the page's last seq.
    stack = await startStack({ env: {}, config: { HTTP_PORT: port, MQTT_PORT: 0, LOG_LEVEL: 'warn' } });
    fleet = await connectFleet(stack.mqttUrl);
    const after = testVin('JTAFT', 3);
    await fleet.fire('trouble', after, {});
    await expect.poll(openCaseCount).toBe(1);
    await page.context().setOffline(false);

    await page.locator('[data-conn="live"]').waitFor({ timeout: 10_000 });
    await page.locator(`li[data-vin="${after}"]`).waitFor({ timeout: 2000 });
    await page.waitForTimeout(300);
    expect(await queueRows(page).count()).toBe(1);
    expect(snapshots.map((m) => [m.reset, m.cases.length])).toEqual([[true, 1]]);
    expect(errors.filter((e) => !/ERR_INTERNET_DISCONNECTED|ERR_CONNECTION_REFUSED/.test(e))).toEqual([]);
  });
});
