import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { topics, type Stats } from '../../protocol/index.js';
import { testVin } from '../helpers/browser-cars.js';
import { axeSerious, useConsoleE2e } from '../helpers/console-e2e.js';
import { openConsole, queueRows, screenshot } from '../helpers/browser.js';
import { validEvent } from '../helpers/raw-mqtt.js';

/** What the supervisor view shows, read off the page: queue depth per priority, open dispatches, operators on duty, answered per priority. */
async function shownFigures(page: Page) {
  return page.getByTestId('supervisor').evaluate((root) => {
    const cell = (table: string, p: string, col: string) => Number(root.querySelector(`[data-testid="${table}"] tr[data-priority="${p}"] td[data-col="${col}"]`)?.textContent);
    const byPriority = Object.fromEntries(['1', '2', '3'].map((p) => [p, { ringing: cell('queue-depth', p, 'ringing'), connected: cell('queue-depth', p, 'connected'), cleared: cell('queue-depth', p, 'cleared') }]));
    const answered = Object.fromEntries(['1', '2', '3'].map((p) => [p, cell('answer-time', p, 'answered')]));
    const num = (id: string) => Number(root.querySelector(`[data-testid="${id}"]`)?.textContent);
    return { byPriority, answered, dispatchesOpen: num('dispatches-open'), operatorsOnDuty: num('operators-on-duty') };
  });
}

function figuresOf(s: Stats) {
  const answered = Object.fromEntries((['1', '2', '3'] as const).map((p) => [p, s.answerTime.byPriority[p].answered]));
  return { byPriority: s.queue.byPriority, answered, dispatchesOpen: s.dispatchesOpen, operatorsOnDuty: s.operatorsOnDuty };
}

/** Issue 14 part 4 (AUTH=off: everyone supervises): the supervisor view against `GET /v1/stats`, live. */
describe('console e2e: supervisor view (issue 14 part 4)', () => {
  const e2e = useConsoleE2e({ ANSWER_TARGET_S: '2,15,20' });

  it('matches GET /v1/stats, updates live when a case opens, in Japanese and English; an escalated call is highlighted and announced', async () => {
    const { browser, stack, fleet } = e2e;
    const stats = async () => (await (await fetch(`${stack.httpUrl}/v1/stats`)).json()) as Stats;
    const { page, errors } = await openConsole(browser, stack.httpUrl, { locale: 'ja-JP' });
    await fleet.fire('sos', testVin('JTSUP', 1), {});
    await fleet.fire('trouble', testVin('JTSUP', 2), {});
    await expect.poll(() => queueRows(page).count()).toBe(2);
    // One answered, with a dispatch: answer times, an operator on duty, an open dispatch.
    await page.locator(`li[data-vin="${testVin('JTSUP', 1)}"]`).click();
    await page.getByRole('button', { name: '応答', exact: true }).click();
    await expect.poll(() => page.getByTestId('call-state').getAttribute('data-state')).toBe('connected');
    await page.getByRole('button', { name: '要請', exact: true }).click();
    await page.locator('li[data-agency="fire_ambulance"]').waitFor();

    await page.getByTestId('supervisor-toggle').click();
    const view = page.getByTestId('supervisor');
    await view.waitFor();
    expect(await view.textContent()).toContain('スーパーバイザー画面');
    await expect.poll(async () => JSON.stringify(await shownFigures(page))).toBe(JSON.stringify(figuresOf(await stats())));
    const shown = await shownFigures(page);
    expect(shown).toMatchObject({ dispatchesOpen: 1, operatorsOnDuty: 1, answered: { '2': 1 } });
    expect(shown.byPriority['2']).toEqual({ ringing: 0, connected: 1, cleared: 0 });
    expect(await view.getByTestId('operator-cases').textContent()).toContain('operator-e2e');
    expect(await view.getByTestId('open-dispatches').textContent()).toContain('消防・救急 (119)');
    expect(await axeSerious(page), 'the supervisor view (ja)').toEqual([]);
    await screenshot(page, 'docs/console-supervisor-1280x800-ja.png');

    // Live: a new priority-1 call shows as ringing without a reload, and matches the service again.
    const crash = testVin('JTSUP', 3);
    await fleet.fire('airbag', crash, { deployed: ['driver_front'], deltaVKmh: 30 });
    await expect.poll(async () => (await shownFigures(page)).byPriority['1']!.ringing, { timeout: 5000 }).toBe(1);
    const now = await stats();
    expect(now.queue.byPriority['1'].ringing).toBe(1);
    expect((await shownFigures(page)).byPriority).toEqual(now.queue.byPriority);
    // Past its 2 s target the service escalates it: the row is marked, the page announces it.
    const row = page.locator(`li[data-vin="${crash}"]`);
    await expect.poll(() => row.getAttribute('data-escalated'), { timeout: 6000 }).toBe('true');
    expect(await row.textContent()).toContain('目標超過');
    await expect.poll(() => page.getByTestId('announcer').textContent()).toContain('エスカレーション');

    await page.getByTestId('lang').selectOption('en');
    await expect.poll(() => view.textContent()).toContain('Supervisor view');
    for (const words of ['Answer time', 'Within target', 'Operators on duty', 'Open dispatches']) expect(await view.textContent()).toContain(words);
    expect(await axeSerious(page), 'the supervisor view (en)').toEqual([]);
    expect(errors).toEqual([]);
  }, 60_000);
});

const ADMIN_PASSWORD = 'admin-password-for-e2e';
const PASSWORD = 'operator-password-e2e';

/** Issue 14 part 6 (AUTH=on): roles decide the controls; a session that ends asks to log in again without losing the page. */
describe('console e2e: roles and session (issue 14 part 6)', () => {
  const e2e = useConsoleE2e({ AUTH: 'on', ADMIN_PASSWORD, PASSWORD_SCRYPT_COST: 10 }, { cars: false });

  async function http(method: string, path: string, token: string | null, body?: unknown) {
    const res = await fetch(`${e2e.stack.httpUrl}${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }
  async function login(username: string, password: string): Promise<string> {
    const r = await http('POST', '/v1/auth/login', null, { username, password });
    expect(r.status).toBe(200);
    return r.body.token as string;
  }
  async function accounts() {
    const admin = await login('admin', ADMIN_PASSWORD);
    for (const [username, role, displayName] of [
      ['sato', 'operator', 'Sato K.'],
      ['tanaka', 'supervisor', 'Tanaka M.'],
    ]) {
      expect((await http('POST', '/v1/operators', admin, { username, password: PASSWORD, role, displayName })).status).toBe(201);
    }
  }
  async function openCase(vin: string, type: 'sos' | 'airbag' = 'sos') {
    const opened = await e2e.stack.service.ingest(topics.event(vin, type), Buffer.from(JSON.stringify(validEvent(vin, type))));
    expect(opened.status).toBe('accepted');
    const c = (await e2e.stack.store.listCases('open')).find((x) => x.vin === vin);
    return c!;
  }
  async function logInPage(page: Page, username: string) {
    const dialog = page.getByRole('dialog', { name: 'Log in' });
    await dialog.waitFor({ timeout: 5000 });
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(PASSWORD);
    await dialog.getByRole('button', { name: 'Log in' }).click();
    await dialog.waitFor({ state: 'detached', timeout: 5000 });
  }

  it('an operator sees no supervisor view; a supervisor sees it and releases the operator’s case', async () => {
    const { browser, stack } = e2e;
    await accounts();
    const vin = testVin('JTRLE', 1);
    const c = await openCase(vin);
    const sato = await login('sato', PASSWORD);
    expect((await http('POST', `/v1/cases/${c.id}/answer`, sato, {})).status).toBe(200);
    expect((await http('GET', '/v1/stats', sato)).status).toBe(403);

    const op = await openConsole(browser, stack.httpUrl, { waitLive: false });
    await logInPage(op.page, 'sato');
    await op.page.locator('[data-conn="live"]').waitFor({ timeout: 5000 });
    expect(await op.page.getByTestId('logged-in').textContent()).toContain('Sato K. (operator)');
    expect(await op.page.getByTestId('supervisor-toggle').count()).toBe(0);
    await op.page.locator(`li[data-vin="${vin}"]`).click();
    // The holder may let the case go; nobody else's case is offered to an operator (checked below from the other side).
    await op.page.getByTestId('case-operator').waitFor();
    expect(await op.page.getByTestId('case-operator').getByRole('button', { name: 'Release' }).count()).toBe(1);

    const sup = await openConsole(browser, stack.httpUrl, { waitLive: false });
    await logInPage(sup.page, 'tanaka');
    await sup.page.locator('[data-conn="live"]').waitFor({ timeout: 5000 });
    expect(await sup.page.getByTestId('logged-in').textContent()).toContain('Tanaka M. (supervisor)');
    await sup.page.getByTestId('supervisor-toggle').click();
    await expect.poll(async () => (await shownFigures(sup.page)).operatorsOnDuty).toBe(1);
    expect(await sup.page.getByTestId('operator-cases').textContent()).toContain('sato');
    expect(await axeSerious(sup.page), 'the supervisor view, logged in').toEqual([]);
    await sup.page.locator(`li[data-vin="${vin}"]`).click();
    expect(await sup.page.getByTestId('case-operator').textContent()).toContain('sato');
    await sup.page.getByTestId('case-operator').getByRole('button', { name: 'Release' }).click();
    await expect.poll(async () => (await stack.store.getCase(c.id))?.operatorId).toBeUndefined();
    await sup.page.getByTestId('case-operator').waitFor({ state: 'detached' });
    // The operator's page hears it on the feed.
    await op.page.getByTestId('case-operator').waitFor({ state: 'detached' });
    const audit = (await stack.store.listAudit({ limit: 20, caseId: c.id }))!;
    expect(audit.find((e) => e.action === 'case.release')).toMatchObject({ actor: { kind: 'operator', id: 'tanaka' }, details: { releasedFrom: 'sato' } });
    for (const p of [op, sup]) expect(p.errors.filter((e) => !/401|WebSocket/.test(e))).toEqual([]);
  }, 60_000);

  it('a session that ends (logged out server-side) asks to log in again and keeps the selected case, the filter and the typed note', async () => {
    const { browser, stack } = e2e;
    await accounts();
    const vin = testVin('JTSESS', 1);
    await openCase(vin, 'airbag');
    await openCase(testVin('JTSESS', 2));
    const { page, errors } = await openConsole(browser, stack.httpUrl, { waitLive: false });
    await logInPage(page, 'sato');
    await page.locator('[data-conn="live"]').waitFor({ timeout: 5000 });
    await expect.poll(() => queueRows(page).count()).toBe(2);
    await page.getByRole('button', { name: /^Ringing/ }).click();
    await page.locator(`li[data-vin="${vin}"]`).click();
    await page.locator('#note-text').fill('caller says the driver is trapped');

    // The token ends on the service (as when it expires, or is logged out elsewhere).
    const token = (JSON.parse((await page.evaluate(() => sessionStorage.getItem('anshin.login')))!) as { token: string }).token;
    expect((await http('POST', '/v1/auth/logout', token)).status).toBeLessThan(300);
    const dialog = page.getByRole('dialog', { name: 'Log in' });
    await dialog.waitFor({ timeout: 5000 });
    expect(await dialog.textContent()).toContain('Your session ended');
    // Behind the dialog the page is as it was.
    expect(await page.locator('section.case').getAttribute('data-case-id')).toBeTruthy();
    expect(await page.getByTestId('case-vin').textContent()).toBe(vin);
    expect(await page.locator('#note-text').inputValue()).toBe('caller says the driver is trapped');
    await logInPage(page, 'sato');
    await page.locator('[data-conn="live"]').waitFor({ timeout: 5000 });
    expect(await page.getByTestId('case-vin').textContent()).toBe(vin);
    expect(await page.getByRole('button', { name: /^Ringing/ }).getAttribute('aria-pressed')).toBe('true');
    expect(await page.locator('#note-text').inputValue()).toBe('caller says the driver is trapped');
    // And the note goes as the operator logged in again.
    await page.getByRole('button', { name: /^Add note/ }).click();
    await expect.poll(() => page.getByTestId('notes').textContent()).toContain('caller says the driver is trapped');
    const c = (await stack.store.listCases('open')).find((x) => x.vin === vin)!;
    expect(c.notes?.[0]).toMatchObject({ operatorId: 'sato', text: 'caller says the driver is trapped' });
    expect(errors.filter((e) => !/401|WebSocket/.test(e))).toEqual([]);
  }, 60_000);
});
