import { describe, expect, it } from 'vitest';
import type { Case } from '../../protocol/index.js';
import { testVin } from '../helpers/browser-cars.js';
import { openConsole, queueRows } from '../helpers/browser.js';
import { useConsoleE2e } from '../helpers/console-e2e.js';

// Room for a few cases only: the console's snapshot is cut (SnapshotMessage.truncated).
const e2e = useConsoleE2e({ FEED_MAX_SNAPSHOT_BYTES: 4096 });

describe('console e2e: a snapshot cut to FEED_MAX_SNAPSHOT_BYTES', () => {
  it('says "Showing N of M open cases" above the most urgent N, and counts a case that opens later', async () => {
    const { stack, fleet, browser } = e2e;
    await Promise.all(Array.from({ length: 15 }, (_, i) => fleet.fire(i % 2 ? 'sos' : 'airbag', testVin('JTTRNC', i), i % 2 ? {} : { deployed: ['driver_front'] })));
    const openCases = async () => (await (await fetch(`${stack.httpUrl}/v1/cases?status=open`)).json()) as Case[];
    await expect.poll(async () => (await openCases()).length, { timeout: 10_000 }).toBe(15);

    const { page, errors } = await openConsole(browser, stack.httpUrl);
    const notice = page.getByTestId('queue-truncated');
    await expect.poll(() => notice.textContent(), { timeout: 5000 }).toMatch(/^Showing \d+ of 15 open cases$/);
    const shown = await queueRows(page).count();
    expect(shown).toBeGreaterThan(0);
    expect(await notice.textContent()).toBe(`Showing ${shown} of 15 open cases`);
    expect(await queueRows(page).evaluateAll((rows) => rows.map((r) => r.getAttribute('data-case-id')))).toEqual((await openCases()).slice(0, shown).map((c) => c.id));

    await fleet.fire('trouble', testVin('JTTRNC', 99), {});
    await expect.poll(() => notice.textContent(), { timeout: 5000 }).toBe(`Showing ${shown + 1} of 16 open cases`);
    expect(errors).toEqual([]);
  });
});
