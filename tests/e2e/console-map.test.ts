import { describe, expect, it } from 'vitest';
import { testVin } from '../helpers/browser-cars.js';
import { onRoute, sendTelemetry, useConsoleE2e } from '../helpers/console-e2e.js';
import { openConsole } from '../helpers/browser.js';

const e2e = useConsoleE2e();

/**
 * Issue 14 part 1: a place an operator can send help to. The offline map centres on the selected case;
 * the case view names its prefecture (point in polygon in the page), and on an expressway the road, the
 * direction and the kilometre post, from the road data generated from the simulator's routes.
 */
describe('console e2e: the map and the place of a case (issue 14 part 1)', () => {
  it('centres the map on the selected case and names prefecture, expressway, direction and kilometre post', async () => {
    const { browser, stack, fleet } = e2e;
    const { page, errors } = await openConsole(browser, stack.httpUrl, { locale: 'ja-JP' });
    // A crash on the Tomei Expressway at kilometre post 35 (Atsugi, Kanagawa), heading west (towards Yaizu).
    const vin = testVin('JTMAP', 1);
    await fleet.fire('airbag', vin, { deployed: ['driver_front'], deltaVKmh: 40, direction: 'front' }, { position: onRoute('tomei', 35), occupants: 1 });
    // Another in Osaka, to see the map move.
    const osaka = testVin('JTMAP', 2);
    await fleet.fire('sos', osaka, {}, { position: { lat: 34.6937, lon: 135.5023, headingDeg: 10, trusted: true } });
    const row = page.locator(`li[data-vin="${vin}"]`);
    await row.click();
    const id = await row.getAttribute('data-case-id');

    const svg = page.locator('section.map svg');
    await expect.poll(() => svg.getAttribute('data-centred')).toBe(id);
    // The selected case is drawn at the centre of the map, zoomed in.
    const centreGap = async () => {
      const [box, mark] = [await svg.boundingBox(), await page.locator(`section.map g.selected[data-case-id="${id}"] circle.case-dot`).boundingBox()];
      return Math.hypot(mark!.x + mark!.width / 2 - (box!.x + box!.width / 2), mark!.y + mark!.height / 2 - (box!.y + box!.height / 2));
    };
    await expect.poll(centreGap).toBeLessThan(3);
    expect(Number(await svg.getAttribute('data-zoom'))).toBeGreaterThan(30);

    const place = page.getByTestId('place');
    expect(await place.getByTestId('prefecture').getAttribute('data-code')).toBe('14');
    expect(await place.getByTestId('prefecture').textContent()).toContain('神奈川県');
    const road = place.getByTestId('road');
    expect(await road.getAttribute('data-road')).toBe('tomei');
    expect(Math.abs(Number(await road.getAttribute('data-km')) - 35)).toBeLessThanOrEqual(0.1);
    const words = await road.textContent();
    expect(words).toContain('東名高速道路');
    expect(words).toContain('Yaizu IC方面');
    expect(words).toMatch(/キロポスト 3[45]\.\d km/);
    expect(words).toContain('Atsugi IC〜Hadano-Nakai IC間');
    // The road itself is on the map, and the heading arrow by the case.
    expect(await page.locator('section.map path.road[data-road="tomei"]').count()).toBe(1);
    expect(await page.getByTestId('heading-arrow').count()).toBe(1);

    // Zoom and pan stay with the operator; "centre on the case" (0) brings it back.
    const zoomBefore = Number(await svg.getAttribute('data-zoom'));
    await page.locator('body').press('+');
    await expect.poll(async () => Number(await svg.getAttribute('data-zoom'))).toBeGreaterThan(zoomBefore * 1.5);
    const box = (await svg.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 120, box.y + box.height / 2 + 60, { steps: 5 });
    await page.mouse.up();
    await expect.poll(centreGap).toBeGreaterThan(50);
    await page.locator('body').press('0');
    await expect.poll(centreGap).toBeLessThan(3);

    // The other case: Osaka, not on an expressway of the road data.
    await page.locator(`li[data-vin="${osaka}"]`).click();
    const osakaId = await page.locator(`li[data-vin="${osaka}"]`).getAttribute('data-case-id');
    await expect.poll(() => svg.getAttribute('data-centred')).toBe(osakaId);
    await expect.poll(() => place.getByTestId('prefecture').getAttribute('data-code')).toBe('27');
    expect(await place.getByTestId('road').count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('a call without a position shows the last known one with its age, and its track', async () => {
    const { browser, stack, fleet } = e2e;
    const vin = testVin('JTLKP', 3);
    // The car reported its way along the Meishin near Takatsuki (Osaka), then lost its fix in a tunnel.
    const points = [140, 141, 142].map((km) => ({ ...onRoute('meishin', km), km }));
    await sendTelemetry(
      stack.mqttUrl,
      vin,
      points.map((p, i) => ({ lat: p.lat, lon: p.lon, headingDeg: p.headingDeg, msAgo: (points.length - i) * 40_000 })),
    );
    await fleet.fire('sos', vin, {}, { position: null });
    const { page, errors } = await openConsole(browser, stack.httpUrl, { locale: 'ja-JP' });
    const row = page.locator(`li[data-vin="${vin}"]`);
    await expect.poll(() => row.textContent()).toMatch(/最終既知位置（\d+:\d\d 前）/);
    await row.click();
    const place = page.getByTestId('place');
    expect(await place.getAttribute('data-source')).toBe('last-known');
    // The last sample was sent 40 s before the call: its age is shown, and grows.
    await expect.poll(() => place.getByTestId('last-known').textContent()).toMatch(/^最終既知位置（0:4\d 前）$/);
    expect(await page.getByTestId('position').textContent()).toContain('発信者に現在地');
    expect(await place.getByTestId('prefecture').getAttribute('data-code')).toBe('27');
    const road = place.getByTestId('road');
    expect(await road.getAttribute('data-road')).toBe('meishin');
    expect(Math.abs(Number(await road.getAttribute('data-km')) - 142)).toBeLessThanOrEqual(0.1);
    expect(await road.textContent()).toContain('Nishinomiya IC方面');
    // Heading from the car, speed estimated from its last two reports (1 km in 40 s: about 90 km/h), the track drawn.
    const motion = await place.getByTestId('motion').textContent();
    expect(motion).toMatch(/進行方位: 南西/);
    expect(motion).toMatch(/約 (8\d|9\d) km\/h/);
    expect(await page.getByTestId('track').count()).toBe(1);
    await expect.poll(() => page.locator('section.map svg').getAttribute('data-centred')).toBe(await row.getAttribute('data-case-id'));
    expect(errors).toEqual([]);
  });
});
