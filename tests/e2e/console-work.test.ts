import { describe, expect, it } from 'vitest';
import type { Case } from '../../protocol/index.js';
import { testVin } from '../helpers/browser-cars.js';
import { axeSerious, useConsoleE2e } from '../helpers/console-e2e.js';
import { openConsole, queueRows, screenshot } from '../helpers/browser.js';

const e2e = useConsoleE2e();

/** The open case the store holds for a VIN (what the console drives must show up there). */
async function caseOf(vin: string): Promise<Case> {
  const all = [...(await e2e.stack.store.listCases('open')), ...(await e2e.stack.store.listCases('closed'))];
  const c = all.find((x) => x.vin === vin);
  if (!c) throw new Error(`no case for ${vin}`);
  return c;
}

/** Issue 14 part 2: working the case (dispatches, no response, notes, the resolution list), in Japanese. */
describe('console e2e: working the case (issue 14 part 2)', () => {
  it('a severe crash, keyboard only: ringing, answered, no response (fire, police, doctor heli), hung up, closed', async () => {
    const { browser, stack, fleet } = e2e;
    const { page, errors } = await openConsole(browser, stack.httpUrl, { locale: 'ja-JP' });
    const vin = testVin('JTWRK', 1);
    await fleet.fire('airbag', vin, { deployed: ['driver_front', 'passenger_front', 'curtain_right'], deltaVKmh: 65, direction: 'front', rollover: true, seatbelts: { driver: false } }, { occupants: 2 });
    await expect.poll(() => queueRows(page).count()).toBe(1);
    expect((await caseOf(vin)).severity?.recommend).toContain('doctor_heli');
    const kb = page.keyboard;
    // The help lists d, r and m as keys now, none as "coming".
    await kb.press('?');
    const help = page.getByTestId('help');
    await help.waitFor();
    const listed = (await help.textContent()) ?? '';
    for (const words of ['出動要請', '応答なし', 'メモ']) expect(listed).toContain(words);
    expect(listed).not.toContain('準備中');
    await kb.press('Escape');
    await help.waitFor({ state: 'detached' });

    await kb.press('n');
    const view = page.locator('section.case[data-case-id]');
    const callState = view.getByTestId('call-state');
    await expect.poll(() => callState.getAttribute('data-state')).toBe('ringing');
    await kb.press('a');
    await expect.poll(() => callState.getAttribute('data-state')).toBe('connected');

    // r asks first; Esc cancels and nothing is sent.
    await kb.press('r');
    const confirm = page.getByTestId('no-response-confirm');
    await confirm.waitFor();
    for (const name of ['消防・救急 (119)', '警察 (110)', 'ドクターヘリ']) expect(await confirm.textContent()).toContain(name);
    expect(await page.evaluate(() => document.activeElement?.textContent)).toContain('今すぐ要請');
    await kb.press('Escape');
    await confirm.waitFor({ state: 'detached' });
    expect((await caseOf(vin)).dispatches ?? []).toEqual([]);
    // r again, Enter sends: fire, police and the doctor helicopter at once.
    await kb.press('r');
    await confirm.waitFor();
    await kb.press('Enter');
    const dispatches = view.getByTestId('dispatches');
    await expect.poll(() => dispatches.locator('li[data-agency]').count()).toBe(3);
    const shown = await dispatches.textContent();
    for (const name of ['消防・救急 (119)', '警察 (110)', 'ドクターヘリ', '要請済み']) expect(shown).toContain(name);
    expect(await view.getByTestId('no-response-done').textContent()).toContain('要請しました');
    expect(((await caseOf(vin)).dispatches ?? []).map((d) => d.agency).sort()).toEqual(['doctor_heli', 'fire_ambulance', 'police']);

    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await kb.press('h');
    await expect.poll(() => callState.getAttribute('data-state')).toBe('cleared');
    // After a no-response, "no response, dispatched" heads the resolution list.
    await kb.press('x');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('resolution');
    await kb.press('ArrowDown');
    expect(await page.locator('#resolution').inputValue()).toBe('no_response_dispatched');
    // Enter closes once the close button would (the feed can show "cleared" before the hang-up's own
    // answer arrives, and a case is not closed while an action on it is still under way).
    await expect.poll(() => view.locator('button[aria-keyshortcuts="x"]').isEnabled()).toBe(true);
    await kb.press('Enter');
    await page.locator(`li[data-vin="${vin}"]`).waitFor({ state: 'detached', timeout: 3000 });
    expect((await caseOf(vin)).resolution).toBe('no_response_dispatched');
    const audit = (await stack.store.listAudit({ limit: 20 }))!.filter((e) => e.vin === vin).map((e) => e.action);
    expect(audit).toEqual(expect.arrayContaining(['case.answer', 'case.no_response', 'dispatch.create', 'case.hangup', 'case.close']));
    expect(errors).toEqual([]);
  });

  it('d dispatches the police, its status moves forward with an ETA, m adds a note; road service shows its coverage; resolutions fit the case; axe clean', async () => {
    const { browser, stack, fleet } = e2e;
    const { page, errors } = await openConsole(browser, stack.httpUrl, { locale: 'ja-JP' });
    page.setDefaultTimeout(5000);
    const sos = testVin('JTWRK', 2);
    const trouble = testVin('JTWRK', 3);
    const testCall = testVin('JTWRK', 4);
    await fleet.fire('sos', sos, {});
    await fleet.fire('trouble', trouble, { warningLamps: ['engine'] });
    await fleet.fire('sos', testCall, {}, { test: true });
    await expect.poll(() => queueRows(page).count()).toBe(3);
    const kb = page.keyboard;
    const view = page.locator('section.case[data-case-id]');

    await page.locator(`li[data-vin="${sos}"]`).click();
    await expect.poll(() => view.getByTestId('case-vin').textContent()).toBe(sos);
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    // d: the agency list takes the focus; the arrows choose (police), Enter requests.
    await kb.press('d');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('dispatch-agency');
    const options = await page.locator('#dispatch-agency option').allTextContents();
    expect(options).toEqual(['消防・救急 (119)', '警察 (110)', 'ドクターヘリ', 'ロードサービス', '販売店搬送', '警備員駆けつけ']);
    await kb.press('ArrowDown');
    expect(await page.locator('#dispatch-agency').inputValue()).toBe('police');
    await page.getByLabel('受付番号').fill('110-7781');
    await page.locator('#dispatch-agency').focus();
    await kb.press('Enter');
    const police = view.locator('li[data-agency="police"]');
    await police.waitFor();
    expect(await police.getAttribute('data-status')).toBe('requested');
    expect(await police.textContent()).toContain('#110-7781');
    // Forward only: from requested the buttons are en route, on scene, completed and cancel; never back.
    expect(await police.getByRole('button').allTextContents()).toEqual(['出動中', '現着', '完了', '取消']);
    await police.getByLabel('警察 (110): 到着予定（分）').fill('12');
    await police.getByRole('button', { name: '出動中' }).click();
    await expect.poll(() => police.getAttribute('data-status')).toBe('en_route');
    await expect.poll(() => police.getByTestId('eta').textContent()).toBe('到着まで約12分');
    expect(await police.getByRole('button').allTextContents()).toEqual(['現着', '完了', '取消']);
    await police.getByRole('button', { name: '現着' }).click();
    await expect.poll(() => police.getAttribute('data-status')).toBe('on_scene');
    const stored = (await caseOf(sos)).dispatches!.find((d) => d.agency === 'police')!;
    expect(stored).toMatchObject({ status: 'on_scene', etaMinutes: 12, reference: '110-7781' });
    expect(stored.history.map((h) => h.status)).toEqual(['requested', 'en_route', 'on_scene']);

    // m: the note field takes the focus; Enter adds the note; it is on the case and shown.
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await kb.press('m');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('note-text');
    await kb.type('運転者は意識あり、同乗者1名');
    await kb.press('Enter');
    await expect.poll(() => view.getByTestId('notes').textContent()).toContain('運転者は意識あり、同乗者1名');
    // The feed may show the note before the POST answers; the field clears on the answer.
    await expect.poll(() => page.locator('#note-text').inputValue()).toBe('');
    expect((await caseOf(sos)).notes).toEqual([{ at: expect.any(String), operatorId: 'operator-e2e', text: '運転者は意識あり、同乗者1名' }]);
    expect(await axeSerious(page), 'a case with a dispatch and a note').toEqual([]);
    // The no-response confirmation passes axe too (the note field keeps the focus after Enter: leave it first).
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await kb.press('r');
    await page.getByTestId('no-response-confirm').waitFor();
    expect(await axeSerious(page), 'the no-response confirmation').toEqual([]);
    await kb.press('Escape');
    // An SOS call may close as emergency dispatched.
    expect(await page.locator('#resolution option').allTextContents()).toContain('緊急出動要請済み');

    // A trouble case: trouble resolutions, no emergency ones; no response is not offered.
    await page.locator(`li[data-vin="${trouble}"]`).click();
    await expect.poll(() => view.getByTestId('case-vin').textContent()).toBe(trouble);
    const troubleValues = await page.locator('#resolution option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(troubleValues).toEqual(['', 'road_service_arranged', 'advice_given', 'accidental', 'duplicate', 'other']);
    expect(await view.getByRole('button', { name: /応答なし/ }).isDisabled()).toBe(true);
    // A road-service dispatch arranged under a coverage answer: the case shows what the member was told.
    const troubleCase = await caseOf(trouble);
    const coverage = {
      programme: 'jaf-member', programmeName: 'JAF 会員', version: null, japanTime: '2026-12-01 12:00', eligible: true, refusals: [],
      work: [{ kind: 'tow', covered: true }, { kind: 'battery_jump', covered: true }],
      tow: { km: 25, freeKm: 15, chargedKm: 10, band: 'day', yenPerKm: 730, memberPaysYen: 7300, taxIncluded: true },
      guidance: [], explanations: [],
    };
    const res = await fetch(`${stack.httpUrl}/v1/cases/${troubleCase.id}/dispatches`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-operator-id': 'operator-e2e' },
      body: JSON.stringify({ agency: 'road_service', serviceCar: { id: 'jaf-atsugi-1', reportsPosition: true }, coverage }),
    });
    expect(res.status).toBe(201);
    const road = view.getByTestId('road-service');
    await road.waitFor();
    expect(await road.getByTestId('service-car').textContent()).toContain('jaf-atsugi-1');
    expect(await road.getByTestId('destination').textContent()).toMatch(/販売店/);
    const cover = await road.getByTestId('coverage').textContent();
    for (const words of ['JAF 会員', 'サービス対象', 'けん引', 'バッテリー上がり', 'お客様負担 7,300円']) expect(cover).toContain(words);
    expect(await axeSerious(page), 'a trouble case with road service').toEqual([]);
    await screenshot(page, 'docs/console-road-service-1280x800-ja.png');

    // A test call cannot be closed as emergency dispatched.
    await page.locator(`li[data-vin="${testCall}"]`).click();
    await expect.poll(() => view.getByTestId('case-vin').textContent()).toBe(testCall);
    const testValues = await page.locator('#resolution option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(testValues).not.toContain('emergency_dispatched');
    expect(await page.locator('#resolution').inputValue()).toBe('test_call');
    expect(errors).toEqual([]);
  }, 60_000);
});
