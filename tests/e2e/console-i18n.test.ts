import { describe, expect, it } from 'vitest';
import type { Case } from '../../protocol/index.js';
import { testVin } from '../helpers/browser-cars.js';
import { useConsoleE2e } from '../helpers/console-e2e.js';
import { openConsole, queueRows } from '../helpers/browser.js';

const e2e = useConsoleE2e();

/** `HH:MM:SS JST` of a contract time, computed here without the page's code. */
function jst(iso: string): string {
  const d = new Date(Date.parse(iso) + 9 * 3600_000);
  return `${d.toISOString().slice(11, 19)} JST`;
}

/**
 * Issue 14 part 5: Japanese and English. Japanese when the browser asks for it (navigator.languages),
 * switchable in the header and remembered; times in Japan time with the zone shown; next steps in plain
 * words instead of rule ids.
 */
describe('console e2e: Japanese and English (issue 14 part 5)', () => {
  it('starts in Japanese for a Japanese browser, shows JST times, plain instructions, and switches to English (remembered)', async () => {
    const { browser, stack, fleet } = e2e;
    const { page, errors } = await openConsole(browser, stack.httpUrl, { locale: 'ja-JP' });
    const vin = testVin('JTJA', 1);
    await fleet.fire('impact', vin, { deltaVKmh: 20, direction: 'right' }, { position: null, occupants: 1 });
    await expect.poll(() => queueRows(page).count()).toBe(1);
    expect(await page.evaluate(() => navigator.languages[0])).toBe('ja-JP');
    expect(await page.locator('html').getAttribute('lang')).toBe('ja');
    expect(await page.locator('[data-conn="live"]').textContent()).toContain('受信中');
    await queueRows(page).first().click();
    const view = page.locator('section.case[data-case-id]');
    await expect.poll(() => view.getByTestId('call-state').getAttribute('data-state')).toBe('ringing');
    expect(await page.getByRole('button', { name: '応答', exact: true }).isEnabled()).toBe(true);
    expect(await view.textContent()).toContain('衝撃検知');
    // Right-hand drive: a crash from the right is on the driver's side.
    expect(await view.textContent()).toContain('右側（運転席側）');

    // Japan time with the zone, the same instant as the service's UTC.
    const [c] = (await (await fetch(`${stack.httpUrl}/v1/cases?status=open`)).json()) as Case[];
    expect(await view.getByTestId('opened-at').textContent()).toContain(jst(c!.openedAt));
    expect(await view.getByTestId('timeline').textContent()).toMatch(/\d\d:\d\d:\d\d JST/);
    expect(await page.locator('body').textContent()).not.toMatch(/UTC/);
    // What to do next, not which rule applies.
    expect(await view.getByTestId('position').textContent()).toContain('発信者に現在地（道路名・方向・キロポスト、または目印）を尋ねてください');
    expect(await page.locator('body').textContent()).not.toMatch(/\(D\d\.\d\)|D\d\.\d/);

    // Switched in the header, the console speaks English at once, and still after a reload.
    await page.getByTestId('lang').selectOption('en');
    await expect.poll(() => page.locator('[data-conn="live"]').textContent()).toContain('Live');
    expect(await page.getByRole('button', { name: 'Answer' }).isEnabled()).toBe(true);
    expect(await view.getByTestId('position').textContent()).toContain('ask the caller where they are');
    expect(await view.getByTestId('opened-at').textContent()).toContain(jst(c!.openedAt));
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await page.reload();
    await page.locator('[data-conn="live"]').waitFor({ timeout: 5000 });
    expect(await page.locator('[data-conn="live"]').textContent()).toContain('Live');
    expect(await page.getByRole('listbox', { name: 'Open cases' }).count()).toBe(1);
    expect(errors).toEqual([]);
  });

  it('starts in English for an English browser', async () => {
    const { page, errors } = await openConsole(e2e.browser, e2e.stack.httpUrl, { locale: 'en-GB' });
    expect(await page.locator('[data-conn="live"]').textContent()).toContain('Live');
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await page.getByTestId('lang').selectOption('ja');
    await expect.poll(() => page.locator('[data-conn="live"]').textContent()).toContain('受信中');
    expect(errors).toEqual([]);
  });
});
