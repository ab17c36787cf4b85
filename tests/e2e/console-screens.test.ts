import { describe, expect, it } from 'vitest';
import type { EventType, MaybePosition } from '../../protocol/index.js';
import { testVin } from '../helpers/browser-cars.js';
import { axeSerious, onRoute, useConsoleE2e } from '../helpers/console-e2e.js';
import { openConsole, queueRows, screenshot } from '../helpers/browser.js';

const e2e = useConsoleE2e();

/** About thirty open cases across Japan: crashes on the expressways, SOS and trouble calls, a few test calls and unknown fixes. */
async function fireThirty(): Promise<void> {
  const cities: [number, number][] = [
    [43.0618, 141.3545], [38.2682, 140.8694], [35.6812, 139.7671], [35.4437, 139.638], [35.1815, 136.9066], [34.6937, 135.5023],
    [34.3853, 132.4553], [33.5902, 130.4017], [26.2124, 127.6809], [36.5613, 136.6562], [37.9161, 139.0364], [34.6913, 135.183],
  ];
  const jobs: Promise<unknown>[] = [];
  const fire = (type: EventType, i: number, data: object, position: MaybePosition, extra: { test?: boolean; occupants?: number } = {}) =>
    jobs.push(e2e.fleet.fire(type, testVin('JTSCRN', i), data as never, { position, ...extra }));
  fire('airbag', 0, { deployed: ['driver_front', 'passenger_front'], deltaVKmh: 48, direction: 'right' }, onRoute('tomei', 35), { occupants: 2 });
  fire('airbag', 1, { deployed: ['driver_front'], deltaVKmh: 22, direction: 'front' }, onRoute('meishin', 120), { occupants: 1 });
  fire('impact', 2, { deltaVKmh: 18, direction: 'rear' }, onRoute('tomei', 120, true));
  fire('impact', 3, { deltaVKmh: 30, direction: 'left' }, null);
  fire('airbag', 4, { deployed: ['driver_front'] }, onRoute('hokkaido-274', 10), { test: true });
  for (let i = 5; i < 30; i++) {
    const [lat, lon] = cities[i % cities.length]!;
    const position: MaybePosition = i % 9 === 0 ? null : { lat: lat + (i % 5) * 0.01, lon: lon + (i % 3) * 0.01, trusted: i % 7 !== 0, headingDeg: (i * 37) % 360 };
    if (i % 4 === 0) fire('sos', i, {}, position, { occupants: 1 + (i % 3) });
    else if (i % 4 === 1) fire('trouble', i, { warningLamps: ['engine'] }, position);
    else if (i % 4 === 2) fire('impact', i, { deltaVKmh: 10 + i, direction: 'front' }, position, { test: i % 10 === 2 });
    else fire('sos', i, {}, position);
  }
  await Promise.all(jobs);
}

/**
 * Issue 14: the main screen with about thirty open cases, in Japanese, at 1920x1080 and 1280x800
 * (docs/console-*-ja.png); axe-core finds no serious or critical violation on the console's screens; and
 * no request leaves the machine (every request is to the console's own origin).
 */
describe('console e2e: screens, accessibility and no request off the machine (issue 14)', () => {
  it('thirty cases in Japanese at 1920x1080 and 1280x800; axe 0 serious/critical; every request to the console’s origin', async () => {
    const { browser, stack } = e2e;
    await fireThirty();
    const origin = new URL(stack.httpUrl).origin;
    for (const [width, height] of [
      [1920, 1080],
      [1280, 800],
    ] as const) {
      const { page, errors } = await openConsole(browser, stack.httpUrl, { locale: 'ja-JP', viewport: { width, height }, waitLive: false });
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      page.on('websocket', (ws) => requests.push(ws.url()));
      await page.reload();
      await page.locator('[data-conn="live"]').waitFor({ timeout: 5000 });
      await expect.poll(() => queueRows(page).count()).toBe(30);

      expect(await axeSerious(page), 'the queue and the empty case view').toEqual([]);
      // The crash on the Tomei, opened: the map centres on it.
      const row = page.locator(`li[data-vin="${testVin('JTSCRN', 0)}"]`);
      await row.click();
      await expect.poll(() => page.locator('section.map svg').getAttribute('data-centred')).toBe(await row.getAttribute('data-case-id'));
      // Answered once (the first size): connected in both pictures.
      if (width === 1920) await page.getByRole('button', { name: '応答', exact: true }).click();
      await expect.poll(() => page.getByTestId('call-state').getAttribute('data-state')).toBe('connected');
      expect(await axeSerious(page), 'a case open').toEqual([]);
      await screenshot(page, `docs/console-${width}x${height}-ja.png`);

      await page.keyboard.press('?');
      await page.getByTestId('help').waitFor();
      expect(await axeSerious(page), 'the keyboard help').toEqual([]);
      await page.keyboard.press('Escape');

      await page.getByTestId('lang').selectOption('en');
      await expect.poll(() => page.locator('[data-conn="live"]').textContent()).toContain('Live');
      expect(await axeSerious(page), 'in English').toEqual([]);
      if (width === 1920) await screenshot(page, 'docs/console-1920x1080-en.png');

      const foreign = requests.filter((u) => new URL(u.replace(/^ws/, 'http')).origin !== origin);
      expect(requests.length).toBeGreaterThan(3);
      expect(foreign).toEqual([]);
      expect(errors).toEqual([]);
      await page.context().close();
    }
    // Two screen sizes, four axe scans each, thirty cases: longer than the default 30 s on the 2-core VM.
  }, 150_000);
});
