import { describe, expect, it } from 'vitest';
import { testVin } from '../helpers/browser-cars.js';
import { useConsoleE2e } from '../helpers/console-e2e.js';
import { openConsole, queueRows, screenshot } from '../helpers/browser.js';

const e2e = useConsoleE2e();

/** Other traffic in the queue: SOS, trouble with a doubtful fix, a test call, no position. */
async function fireOtherTraffic(): Promise<void> {
  const { fleet } = e2e;
  await fleet.fire('sos', testVin('JTSSS', 1), {}, { position: { lat: 34.6937, lon: 135.5023, trusted: true }, occupants: 1 });
  await fleet.fire('trouble', testVin('JTTRB', 2), { warningLamps: ['engine'] }, { position: { lat: 43.0618, lon: 141.3545, trusted: false } });
  await fleet.fire('impact', testVin('JTMPX', 3), { deltaVKmh: 14, direction: 'rear' }, { position: null });
  await fleet.fire('airbag', testVin('JTTST', 4), { deployed: ['driver_front'] }, { test: true, position: { lat: 33.5902, lon: 130.4017, trusted: true } });
}

describe('console e2e: one call from airbag to close', () => {
  it('shows an airbag case within 1 s; the operator answers, hangs up (D2.2), calls back (D2.6), closes it and it leaves the queue', async () => {
    const { browser, stack, fleet } = e2e;
    const { page, errors } = await openConsole(browser, stack.httpUrl);
    // Other traffic in the queue, for a realistic screenshot.
    await fireOtherTraffic();
    await expect.poll(() => queueRows(page).count()).toBe(4);

    const vin = testVin('JTAXR', 7);
    const fired = Date.now();
    await fleet.fire('airbag', vin, { deployed: ['driver_front', 'passenger_front'], deltaVKmh: 32 }, {
      position: { lat: 35.6812, lon: 139.7671, headingDeg: 90, trusted: true },
      occupants: 2,
    });
    const row = page.locator(`li[data-vin="${vin}"]`);
    await row.waitFor({ timeout: 1000 });
    expect(Date.now() - fired).toBeLessThan(1000);
    expect(await row.getAttribute('data-priority')).toBe('1');
    // A new priority-1 case announces itself in the live region.
    await expect.poll(() => page.getByTestId('announcer').textContent()).toContain(vin);

    await row.click();
    const view = page.locator(`section.case[data-case-id]`);
    await expect.poll(() => view.getByTestId('case-vin').textContent()).toBe(vin);
    await expect.poll(() => view.textContent()).toContain('driver front, passenger front');
    await expect.poll(() => view.textContent()).toContain('32 km/h');
    const callState = view.getByTestId('call-state');
    await expect.poll(() => callState.getAttribute('data-state')).toBe('ringing');

    await page.getByRole('button', { name: 'Answer' }).click();
    await expect.poll(() => callState.getAttribute('data-state')).toBe('connected');
    // D3.1: an auto-notification locks remote operations out while the call holds.
    await expect.poll(() => view.getByTestId('lockout').textContent()).toContain('Remote operations');
    await screenshot(page, 'test-results/console.png');

    await page.getByRole('button', { name: 'Hang up' }).click();
    await expect.poll(() => callState.getAttribute('data-state')).toBe('cleared');
    // D3.5: cleared, the lockout now runs 60 minutes: each feature counts down.
    await expect.poll(() => view.getByTestId('lockout').textContent()).toMatch(/Remote operations(1:00:00|59:[0-5]\d)/);
    // A cleared call is not answered again; the way back to the car is a call-back.
    expect(await page.getByRole('button', { name: 'Answer' }).isEnabled()).toBe(false);

    // D2.6: after clear-down the centre calls the car back; it is connected again, then cleared again.
    await page.getByRole('button', { name: 'Call back' }).click();
    await expect.poll(() => callState.textContent()).toContain('Call-back connected');
    expect(await page.getByRole('button', { name: 'Close case' }).isEnabled()).toBe(false);
    await page.getByRole('button', { name: 'Hang up' }).click();
    await expect.poll(() => callState.getAttribute('data-state')).toBe('cleared');

    await page.getByLabel('Resolution').selectOption('emergency_dispatched');
    await page.getByRole('button', { name: 'Close case' }).click();
    await row.waitFor({ state: 'detached', timeout: 2000 });
    await expect.poll(() => queueRows(page).count()).toBe(4);
    const closed = await stack.store.listCases('closed');
    expect(closed.find((c) => c.vin === vin)?.resolution).toBe('emergency_dispatched');
    // The timeline holds the feed's story of this case, in seq order.
    const timeline = await view.getByTestId('timeline').textContent();
    expect(timeline).toMatch(/Opened: Airbag deployed, priority 1/);
    expect(timeline).toMatch(/Call connected/);
    expect(timeline).toMatch(/Closed: emergency dispatched/);
    expect(errors).toEqual([]);
  });

  it('shows the service’s message when it refuses an action (another operator has the case)', async () => {
    const { browser, stack, fleet } = e2e;
    const { page, errors } = await openConsole(browser, stack.httpUrl);
    const vin = testVin('JTTAKEN', 9);
    await fleet.fire('sos', vin, {});
    const row = page.locator(`li[data-vin="${vin}"]`);
    await row.waitFor({ timeout: 2000 });
    const id = await row.getAttribute('data-case-id');
    const taken = await fetch(`${stack.httpUrl}/v1/cases/${id}/answer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-operator-id': 'operator-other' },
      body: '{}',
    });
    expect(taken.status).toBe(200);
    await row.click();
    await expect.poll(() => page.getByTestId('call-state').getAttribute('data-state')).toBe('connected');
    await page.getByRole('button', { name: 'Hang up' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('operator-other');
    expect(await page.getByTestId('call-state').getAttribute('data-state')).toBe('connected');
    expect(errors.filter((e) => !/409/.test(e))).toEqual([]);
  });

  it('keyboard: j/k move through the queue, Enter opens, a answers', async () => {
    const { page, errors } = await openConsole(e2e.browser, e2e.stack.httpUrl);
    await fireOtherTraffic();
    await expect.poll(() => queueRows(page).count()).toBe(4);
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    await page.keyboard.press('k');
    const first = queueRows(page).first();
    expect(await first.getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('Enter');
    const vin = await first.getAttribute('data-vin');
    const view = page.locator('section.case[data-case-id]');
    await expect.poll(() => view.getByTestId('case-vin').textContent()).toBe(vin);
    await expect.poll(() => view.getByTestId('call-state').getAttribute('data-state')).toBe('ringing');
    await page.keyboard.press('a');
    await expect.poll(() => view.getByTestId('call-state').getAttribute('data-state')).toBe('connected');
    expect(errors).toEqual([]);
  });
});
