import { describe, expect, it } from 'vitest';
import { testVin } from '../helpers/browser-cars.js';
import { useConsoleE2e } from '../helpers/console-e2e.js';
import { openConsole, queueRows } from '../helpers/browser.js';

const e2e = useConsoleE2e();

async function openCaseCount(): Promise<number> {
  return (await e2e.stack.store.listCases('open')).length;
}

describe('console e2e: the feed drops and resumes', () => {
  it('shows reconnecting when the server drops the socket, resumes with ?since= and shows a case fired in the gap exactly once', async () => {
    const { browser, stack, fleet } = e2e;
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
    // A reconnect attempt made after the gap case was stored has failed (Chromium logs each one made
    // offline): an attempt that got through would have shown the case.
    const failedAttempts = () => errors.filter((e) => /ERR_INTERNET_DISCONNECTED/.test(e)).length;
    const failedBefore = failedAttempts();
    await expect.poll(failedAttempts, { timeout: 10_000 }).toBeGreaterThan(failedBefore);
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

    // Exactly once, and still once everything after it has been applied: a case fired now shows up
    // only after every message before it in the feed.
    const later = testVin('JTLTR', 4);
    await fleet.fire('trouble', later, {});
    await page.locator(`li[data-vin="${later}"]`).waitFor({ timeout: 2000 });
    expect(await page.locator(`li[data-vin="${gap}"]`).count()).toBe(1);
    expect(await page.locator(`li[data-vin="${before}"]`).count()).toBe(1);
    expect(await queueRows(page).count()).toBe(3);
    expect(frames.every((f) => f.type !== 'snapshot' && f.seq > seqBefore)).toBe(true);
    // Chromium logs the attempts made offline; nothing else may fail.
    expect(errors.filter((e) => !/ERR_INTERNET_DISCONNECTED/.test(e))).toEqual([]);
  });

  it('after a service restart with fresh state, a reset snapshot replaces the queue: every case appears once', async () => {
    const { page, errors } = await openConsole(e2e.browser, e2e.stack.httpUrl);
    // Two cases before the restart: the page's last seq is above what the new store will start at.
    await e2e.fleet.fire('sos', testVin('JTBEF', 1), {});
    await e2e.fleet.fire('airbag', testVin('JTGAP', 2), { deployed: ['driver_front'] });
    await expect.poll(() => queueRows(page).count()).toBe(2);
    const snapshots: { reset?: boolean; cases: unknown[] }[] = [];
    page.on('websocket', (ws) =>
      ws.on('framereceived', (f) => {
        const m = JSON.parse(String(f.payload)) as { type: string; reset?: boolean; cases: unknown[] };
        if (m.type === 'snapshot') snapshots.push(m);
      }),
    );
    await page.context().setOffline(true); // until the new stack holds its case (see the first test)
    // Same HTTP port, new in-memory store: the sequence starts again below the page's last seq.
    await e2e.restart();
    await page.locator('[data-conn="reconnecting"]').waitFor({ timeout: 3000 });
    const after = testVin('JTAFT', 3);
    await e2e.fleet.fire('trouble', after, {});
    await expect.poll(openCaseCount).toBe(1);
    await page.context().setOffline(false);

    await page.locator('[data-conn="live"]').waitFor({ timeout: 10_000 });
    await page.locator(`li[data-vin="${after}"]`).waitFor({ timeout: 2000 });
    // Every case once, and no second snapshot once everything after the reset has been applied: a case
    // fired now shows up only after every message before it.
    const later = testVin('JTLTR', 4);
    await e2e.fleet.fire('trouble', later, {});
    await page.locator(`li[data-vin="${later}"]`).waitFor({ timeout: 2000 });
    expect(await queueRows(page).count()).toBe(2);
    expect(snapshots.map((m) => [m.reset, m.cases.length])).toEqual([[true, 1]]);
    expect(errors.filter((e) => !/ERR_INTERNET_DISCONNECTED|ERR_CONNECTION_REFUSED/.test(e))).toEqual([]);
  });
});
