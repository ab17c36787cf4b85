import { describe, expect, it } from 'vitest';
import { testVin } from '../helpers/browser-cars.js';
import { useConsoleE2e } from '../helpers/console-e2e.js';
import { openConsole, queueRows } from '../helpers/browser.js';

const e2e = useConsoleE2e();

/** Issue 14 part 7: the whole call, from answer to close, without the mouse; `?` lists the keys. */
describe('console e2e: keyboard only (issue 14 part 7)', () => {
  it('? shows the keys; n opens the next case, a answers, h hangs up, x and Enter close it', async () => {
    const { browser, stack, fleet } = e2e;
    const { page, errors } = await openConsole(browser, stack.httpUrl, { locale: 'ja-JP' });
    const first = testVin('JTKEY', 1);
    const second = testVin('JTKEY', 2);
    await fleet.fire('airbag', first, { deployed: ['driver_front'] });
    await fleet.fire('sos', second, {});
    await expect.poll(() => queueRows(page).count()).toBe(2);
    const kb = page.keyboard;

    await kb.press('?');
    const help = page.getByTestId('help');
    await help.waitFor();
    const listed = await help.textContent();
    for (const words of ['応答', '切断', 'コールバック', '事案を完了', '次 / 前の事案', '車台番号で検索', '出動要請']) expect(listed).toContain(words);
    // Keys do nothing else while the help is open; Esc closes it.
    await kb.press('n');
    expect(await page.locator('section.case[data-case-id]').count()).toBe(0);
    await kb.press('Escape');
    await help.waitFor({ state: 'detached' });

    // n: the next case (the top of the queue, priority 1) opens.
    await kb.press('n');
    const view = page.locator('section.case[data-case-id]');
    await expect.poll(() => view.getByTestId('case-vin').textContent()).toBe(first);
    const callState = view.getByTestId('call-state');
    await expect.poll(() => callState.getAttribute('data-state')).toBe('ringing');
    await kb.press('a');
    await expect.poll(() => callState.getAttribute('data-state')).toBe('connected');
    await kb.press('h');
    await expect.poll(() => callState.getAttribute('data-state')).toBe('cleared');
    // x: the resolution list takes the focus; the arrows choose; Enter closes.
    await kb.press('x');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('resolution');
    await kb.press('ArrowDown');
    expect(await page.locator('#resolution').inputValue()).toBe('emergency_dispatched');
    await kb.press('Enter');
    await page.locator(`li[data-vin="${first}"]`).waitFor({ state: 'detached', timeout: 3000 });
    expect((await stack.store.listCases('closed')).find((c) => c.vin === first)?.resolution).toBe('emergency_dispatched');

    // / focuses the search; Enter opens the first match; p and n move between cases.
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await kb.press('/');
    await kb.type('KEY000000000002'.slice(-6));
    await kb.press('Enter');
    await expect.poll(() => view.getByTestId('case-vin').textContent()).toBe(second);
    await kb.press('c');
    expect(await callStateOf(page)).toBe('ringing');
    expect(errors).toEqual([]);
  });
});

async function callStateOf(page: import('playwright-core').Page) {
  return page.getByTestId('call-state').getAttribute('data-state');
}
