import { describe, expect, it } from 'vitest';
import type { Case, EventType } from '../../protocol/index.js';
import { testVin } from '../helpers/browser-cars.js';
import { useConsoleE2e } from '../helpers/console-e2e.js';
import { openConsole, queueRows } from '../helpers/browser.js';

const e2e = useConsoleE2e();

/** Twenty cars across Japan, mixed triggers: priority 1 (airbag, impact over 8 km/h), 2 (sos), 3 (trouble). */
const TRIGGERS: EventType[] = ['trouble', 'sos', 'airbag', 'impact', 'trouble'];

describe('console e2e: a burst of cases', () => {
  it('shows twenty cases arriving at once in queue order: priority, inside priority 1 the higher severity (D4.3), then age', async () => {
    const { browser, stack, fleet } = e2e;
    const { page, errors } = await openConsole(browser, stack.httpUrl);
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => {
        const type = TRIGGERS[i % TRIGGERS.length]!;
        const vin = testVin('JTBRST', i);
        const position = { lat: 31 + (i % 10) * 1.3, lon: 130 + (i % 7) * 1.6, trusted: i % 3 !== 0 };
        if (type === 'airbag') return fleet.fire('airbag', vin, { deployed: ['driver_front'] }, { position });
        if (type === 'impact') return fleet.fire('impact', vin, { deltaVKmh: 20, direction: 'front' }, { position });
        return fleet.fire(type, vin, {}, { position });
      }),
    );
    await expect.poll(() => queueRows(page).count(), { timeout: 3000 }).toBe(20);

    const shown = await queueRows(page).evaluateAll((rows) =>
      rows.map((r) => ({ id: r.getAttribute('data-case-id'), priority: Number(r.getAttribute('data-priority')), openedAt: r.getAttribute('data-opened-at') ?? '' })),
    );
    expect(new Set(shown.map((r) => r.id)).size).toBe(20);
    expect(shown.map((r) => r.priority)).toEqual([...Array(8).fill(1), ...Array(4).fill(2), ...Array(8).fill(3)]);
    // The same order as the service's own queue (GET /v1/cases?status=open).
    const api = (await (await fetch(`${stack.httpUrl}/v1/cases?status=open`)).json()) as Case[];
    expect(shown.map((r) => r.id)).toEqual(api.map((c) => c.id));
    // Inside priority 1 the higher severity first (the airbags without crash data: cautious, high; the
    // 20 km/h frontal impacts lower), then age; every other priority by age.
    const risk = new Map(api.map((c) => [c.id, c.severity?.probability ?? null]));
    for (let i = 1; i < shown.length; i++) {
      const [a, b] = [shown[i - 1]!, shown[i]!];
      if (a.priority !== b.priority) continue;
      const [ra, rb] = [risk.get(a.id!), risk.get(b.id!)];
      if (a.priority === 1) expect(ra).toBeGreaterThanOrEqual(rb!);
      if (a.priority !== 1 || ra === rb) expect(a.openedAt <= b.openedAt).toBe(true);
    }
    expect(new Set(api.filter((c) => c.priority === 1).map((c) => c.trigger))).toEqual(new Set(['airbag', 'impact']));
    expect(api.slice(0, 4).map((c) => c.trigger)).toEqual(['airbag', 'airbag', 'airbag', 'airbag']);
    // The row shows the estimate the order comes from.
    expect(await queueRows(page).first().getAttribute('data-probability')).toBe(String(api[0]!.severity!.probability));
    // Every case with a position is a dot on the map.
    expect(await page.locator('section.map circle.case-dot').count()).toBe(20);
    expect(errors).toEqual([]);
  });
});
