import { describe, expect, it } from 'vitest';
import { testVin } from '../helpers/browser-cars.js';
import { useConsoleE2e } from '../helpers/console-e2e.js';
import { openConsole, queueRows } from '../helpers/browser.js';

const e2e = useConsoleE2e();

async function post(url: string, operator: string, body: object = {}): Promise<void> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-operator-id': operator }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
}

/**
 * Issue 14 part 3: a queue that holds up. Sections (ringing, mine, connected, cleared but open), VIN
 * search, test calls apart and below every real priority 1, the severity on priority-1 rows.
 */
describe('console e2e: queue sections, search and test calls (issue 14 part 3)', () => {
  it('filters by call state and by operator, finds a VIN, keeps test calls below real ones', async () => {
    const { browser, stack, fleet } = e2e;
    const vins = {
      mine: testVin('JTMYN', 1),
      other: testVin('JTTHR', 2),
      cleared: testVin('JTCLR', 3),
      ringing: testVin('JTRNG', 4),
      test: testVin('JTTST', 5),
      trouble: testVin('JTTRB', 6),
    };
    // A test airbag call first: the oldest priority-1 case, still shown below the real ones.
    await fleet.fire('airbag', vins.test, { deployed: ['driver_front'] }, { test: true });
    await fleet.fire('airbag', vins.mine, { deployed: ['driver_front'], deltaVKmh: 50 });
    await fleet.fire('sos', vins.other, {});
    await fleet.fire('sos', vins.cleared, {});
    await fleet.fire('impact', vins.ringing, { deltaVKmh: 25, direction: 'front' });
    await fleet.fire('trouble', vins.trouble, {});
    const { page, errors } = await openConsole(browser, stack.httpUrl, { locale: 'ja-JP' });
    await expect.poll(() => queueRows(page).count()).toBe(6);
    const idOf = (vin: string) => page.locator(`li[data-vin="${vin}"]`).getAttribute('data-case-id');
    await post(`${stack.httpUrl}/v1/cases/${await idOf(vins.mine)}/answer`, 'operator-e2e');
    await post(`${stack.httpUrl}/v1/cases/${await idOf(vins.other)}/answer`, 'operator-other');
    await post(`${stack.httpUrl}/v1/cases/${await idOf(vins.cleared)}/answer`, 'operator-other');
    await post(`${stack.httpUrl}/v1/cases/${await idOf(vins.cleared)}/hangup`, 'operator-other');

    const shownVins = () => queueRows(page).evaluateAll((rows) => rows.map((r) => r.getAttribute('data-vin')));
    // Test calls last, in their own labelled group; every real priority 1 above them.
    await expect.poll(shownVins).toEqual([vins.mine, vins.ringing, vins.other, vins.cleared, vins.trouble, vins.test]);
    const tests = page.getByTestId('test-calls');
    expect(await tests.locator('li[data-case-id]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-vin')))).toEqual([vins.test]);
    expect(await tests.getAttribute('data-label')).toBe('テスト通報 (1)');
    // The severity is on the priority-1 rows, and only there.
    for (const vin of [vins.mine, vins.ringing, vins.test]) expect(await page.locator(`li[data-vin="${vin}"]`).getByTestId('severity').textContent()).toMatch(/^重症リスク \d+%/);
    for (const vin of [vins.other, vins.trouble]) expect(await page.locator(`li[data-vin="${vin}"]`).getByTestId('severity').count()).toBe(0);

    const filter = (name: string) => page.locator(`button[data-filter="${name}"]`);
    await filter('ringing').click();
    await expect.poll(shownVins).toEqual([vins.ringing, vins.trouble, vins.test]);
    expect(await filter('ringing').getAttribute('aria-pressed')).toBe('true');
    await filter('mine').click();
    await expect.poll(shownVins).toEqual([vins.mine]);
    await filter('connected').click();
    await expect.poll(shownVins).toEqual([vins.mine, vins.other]);
    // Keys 1-5 choose the section too: 5 is "cleared but still open".
    await page.locator('body').press('5');
    await expect.poll(shownVins).toEqual([vins.cleared]);
    expect(await filter('cleared').textContent()).toMatch(/切断済み・未完了\s*1/);
    await page.locator('body').press('1');
    await expect.poll(() => queueRows(page).count()).toBe(6);

    // Search by any part of the VIN, spaces and case ignored.
    await page.getByRole('searchbox', { name: '車台番号で検索' }).fill('rng 000');
    await expect.poll(shownVins).toEqual([vins.ringing]);
    await page.getByRole('searchbox', { name: '車台番号で検索' }).fill('NOSUCHVIN');
    await expect.poll(() => queueRows(page).count()).toBe(0);
    expect(await page.locator('section.queue').textContent()).toContain('該当する事案はありません');
    await page.getByRole('searchbox', { name: '車台番号で検索' }).fill('');
    await expect.poll(() => queueRows(page).count()).toBe(6);
    // A real priority-1 call still ringing past its answer target (10 s) is announced (and heard, sound on).
    await expect.poll(() => page.getByTestId('announcer').textContent(), { timeout: 15_000 }).toContain(`応答目標を超えています：車台番号 ${vins.ringing}`);
    expect(await page.locator(`li[data-vin="${vins.ringing}"]`).getAttribute('class')).toContain('overdue');
    expect(errors).toEqual([]);
  });
});
