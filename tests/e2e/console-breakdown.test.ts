import mqtt, { type MqttClient } from 'mqtt';
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { topics, type Case, type OutboxEmail } from '../../protocol/index.js';
import { testVin } from '../helpers/browser-cars.js';
import { axeSerious, onRoute, useConsoleE2e } from '../helpers/console-e2e.js';
import { openConsole, queueRows, screenshot } from '../helpers/browser.js';

const e2e = useConsoleE2e();
const clients: MqttClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.endAsync().catch(() => {})));
});

const HANAKO = { name: '山田花子', phone: '090-1234-5678', email: 'hanako@example.jp' };
const CAR_ID = 'jaf-atsugi-7';

async function caseOf(vin: string): Promise<Case> {
  const all = [...(await e2e.stack.store.listCases('open')), ...(await e2e.stack.store.listCases('closed'))];
  const c = all.find((x) => x.vin === vin);
  if (!c) throw new Error(`no case for ${vin}`);
  return c;
}

/** Emails the service hands to the mail gateway (`v1/outbox/email`), as the gateway would read them. */
async function mailbox(mqttUrl: string): Promise<{ next(kind: OutboxEmail['kind'], to: string): Promise<OutboxEmail> }> {
  const client = await mqtt.connectAsync(mqttUrl, { protocolVersion: 4, clientId: 'console-e2e-mail' });
  clients.push(client);
  const mails: OutboxEmail[] = [];
  client.on('message', (topic, payload) => topic === topics.outboxEmail && mails.push(JSON.parse(payload.toString()) as OutboxEmail));
  await client.subscribeAsync(topics.outboxEmail, { qos: 1 });
  return {
    async next(kind, to) {
      for (let waited = 0; waited < 5000; waited += 50) {
        const i = mails.findIndex((m) => m.kind === kind && m.to === to);
        if (i >= 0) return mails.splice(i, 1)[0]!;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`no ${kind} email to ${to}`);
    },
  };
}

/** Keyboard only: Tab (or Shift+Tab) until the focused element matches, as an operator would. */
async function tabTo(page: Page, test: (el: { tag: string; name: string; text: string; id: string }) => boolean, what: string, back = false): Promise<void> {
  for (let i = 0; i < 80; i++) {
    const el = await page.evaluate(() => {
      const a = document.activeElement as HTMLElement | null;
      return { tag: a?.tagName.toLowerCase() ?? '', name: a?.getAttribute('name') ?? '', text: (a?.textContent ?? '').trim(), id: a?.id ?? '' };
    });
    if (test(el)) return;
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
  }
  throw new Error(`Tab never reached ${what}`);
}

/** A point `km` north-east of a place (about; enough for an ETA). */
const away = (p: { lat: number; lon: number }, km: number) => ({ lat: p.lat + (km / 111) * Math.SQRT1_2, lon: p.lon + (km / (111 * Math.cos((p.lat * Math.PI) / 180))) * Math.SQRT1_2 });

/**
 * Issue 14 "Done when": a breakdown, keyboard only, in Japanese, end to end. The car's trouble button;
 * the operator answers, requests road service with a service car that reports its position, relays a
 * message to the family (phone not answered, a confirmed email: delivered by email); the service car
 * drives towards the car and the console shows it on the map with its ETA; the dispatch completes and
 * the case closes with a trouble resolution. No mouse click in the page.
 */
describe('console e2e: a breakdown, keyboard only, in Japanese (issue 14)', () => {
  it('trouble button → answer → road service with a reporting service car → relay (not answered, email) → service car on the map with ETA → completed → closed', async () => {
    const { browser, stack, fleet } = e2e;
    const vin = testVin('JTBRK', 1);
    const api = (method: string, path: string, body?: unknown) =>
      fetch(`${stack.httpUrl}${path}`, { method, headers: { 'content-type': 'application/json', 'x-operator-id': 'operator-e2e' }, body: body === undefined ? undefined : JSON.stringify(body) });

    // Beforehand: the owner's family registered, the email confirmed with the token the service mailed.
    const mail = await mailbox(stack.mqttUrl);
    expect((await api('PUT', `/v1/vehicles/${vin}/contacts`, { contacts: [HANAKO] })).status).toBe(200);
    const confirmation = await mail.next('contact_confirmation', HANAKO.email);
    const confirmed = await api('POST', '/v1/contacts/confirm', { token: confirmation.token });
    expect(confirmed.status).toBe(200);
    expect(await confirmed.json()).toMatchObject({ email: HANAKO.email, emailStatus: 'confirmed' });

    const { page, errors } = await openConsole(browser, stack.httpUrl, { locale: 'ja-JP' });
    page.setDefaultTimeout(5000);
    // Keyboard only: any mouse click in the page fails the test.
    await page.evaluate(() => {
      const w = window as unknown as { __clicks: number };
      w.__clicks = 0;
      document.addEventListener('mousedown', () => (w.__clicks += 1), true);
    });
    const kb = page.keyboard;
    const blur = () => page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());

    // The car's trouble button, on the Tomei.
    const scene = onRoute('tomei', 35);
    await fleet.fire('trouble', vin, { warningLamps: ['engine', 'battery'] }, { position: scene });
    await expect.poll(() => queueRows(page).count()).toBe(1);

    // n opens it, a answers.
    await kb.press('n');
    const view = page.locator('section.case[data-case-id]');
    const callState = view.getByTestId('call-state');
    await expect.poll(() => callState.getAttribute('data-state')).toBe('ringing');
    expect(await callState.textContent()).toContain('呼出中');
    await kb.press('a');
    await expect.poll(() => callState.getAttribute('data-state')).toBe('connected');
    expect(await callState.textContent()).toContain('通話中');
    // A trouble call: no response is not offered; trouble resolutions only.
    expect(await view.getByRole('button', { name: /応答なし/ }).isDisabled()).toBe(true);

    // d: the agency list; ↓↓↓ road service; the service car id and "reports its position" appear.
    await kb.press('d');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('dispatch-agency');
    for (let i = 0; i < 3; i++) await kb.press('ArrowDown');
    expect(await page.locator('#dispatch-agency').inputValue()).toBe('road_service');
    const form = page.locator('form.dispatch-form');
    await expect.poll(() => form.textContent()).toContain('サービスカーID');
    expect(await form.textContent()).toContain('位置を送信する');
    await kb.press('Tab');
    await kb.type('JAF-0412');
    await tabTo(page, (el) => el.id === 'dispatch-service-car', 'the service car id');
    await kb.type(CAR_ID);
    await kb.press('Tab');
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.name)).toBe('serviceCarReports');
    expect(await page.locator('input[name="serviceCarReports"]').isChecked()).toBe(true);
    await kb.press('Enter');
    const road = view.locator('li[data-agency="road_service"]');
    await road.waitFor();
    expect(await road.getAttribute('data-status')).toBe('requested');
    const head = (await road.locator('.dispatch-head').textContent()) ?? '';
    for (const words of ['ロードサービス', '要請済み', '#JAF-0412']) expect(head).toContain(words);
    const car = road.getByTestId('service-car');
    expect(await car.textContent()).toContain(CAR_ID);
    expect(await car.textContent()).toContain('位置を送信（お客様が追跡可能）');
    await expect.poll(() => road.getByTestId('service-car-live').textContent()).toBe('位置の報告はまだありません');
    const dispatch = (await caseOf(vin)).dispatches!.find((d) => d.agency === 'road_service')!;
    expect(dispatch).toMatchObject({ serviceCar: { id: CAR_ID, reportsPosition: true }, reference: 'JAF-0412' });
    expect(dispatch.trackToken).toMatch(/^[A-Za-z0-9_-]{32,}$/);
    expect(await axeSerious(page), 'road service requested, its service car not yet reporting').toEqual([]);

    // The message relay to the family: the message, the one phone call, not answered.
    const relay = view.getByTestId('relay');
    await relay.waitFor();
    expect(await relay.textContent()).toContain('お客様の連絡先への伝言');
    await tabTo(page, (el) => el.name === 'relayMessage', 'the relay message');
    await kb.type('ロードサービスが向かっています。到着まで約15分です。');
    await kb.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('連絡先に電話');
    await kb.press('Enter');
    const relayRow = relay.locator('li[data-relay-status]');
    await expect.poll(() => relayRow.getAttribute('data-relay-status')).toBe('pending');
    const calling = (await relayRow.textContent()) ?? '';
    for (const words of ['山田花子', '発信中', '山田花子様（090-1234-5678）に電話し、応答の有無を記録してください。', 'ロードサービスが向かっています。']) expect(calling).toContain(words);
    expect(await axeSerious(page), 'the relay calling the family').toEqual([]);
    await tabTo(page, (el) => el.tag === 'button' && el.text === '応答なし', 'not answered', true);
    await kb.press('Enter');
    await expect.poll(() => relayRow.getAttribute('data-relay-status')).toBe('delivered');
    const relayed = (await relayRow.textContent()) ?? '';
    for (const words of ['伝達済み', '電話 090-1234-5678：応答なし', `メール ${HANAKO.email}：送信済み`]) expect(relayed).toContain(words);
    const callback = await mail.next('relay_callback_request', HANAKO.email);
    expect(callback.to).toBe(HANAKO.email);
    const storedRelay = (await caseOf(vin)).relays![0]!;
    expect(storedRelay).toMatchObject({ status: 'delivered', contactName: HANAKO.name });
    expect(storedRelay.attempts.map((a) => [a.channel, a.result])).toEqual([
      ['phone', 'not_answered'],
      ['email', 'sent'],
    ]);

    // The service car drives towards the car, reporting on v1/service-cars/{id}/position.
    const sc = await mqtt.connectAsync(stack.mqttUrl, { protocolVersion: 4, clientId: `service-car-${CAR_ID}` });
    clients.push(sc);
    const report = (km: number) =>
      sc.publishAsync(`v1/service-cars/${CAR_ID}/position`, JSON.stringify({ v: 1, ts: new Date().toISOString(), position: { ...away(scene, km), trusted: true } }), { qos: 1 });
    const marker = page.getByTestId('service-car-marker');
    const live = road.getByTestId('service-car-live');
    const etas: number[] = [];
    for (const km of [7.7, 4.7, 1.7]) {
      await report(km);
      // 40 km/h (SERVICE_CAR_SPEED_KMH), rounded up: 7.7 km is 12 min, 4.7 km 8 min, 1.7 km 3 min.
      const expected = Math.ceil((km / 40) * 60);
      await expect.poll(() => live.getAttribute('data-eta'), { timeout: 8000 }).toBe(String(expected));
      expect(await live.getByTestId('service-car-eta').textContent()).toBe(`到着まで約${expected}分`);
      expect(await live.textContent()).toMatch(/\d{2}:\d{2}:\d{2} JST の位置/);
      await expect.poll(() => marker.getAttribute('data-eta')).toBe(String(expected));
      expect(await marker.getAttribute('data-service-car')).toBe(CAR_ID);
      expect(await page.getByTestId('service-car-map-eta').textContent()).toBe(`サービスカー 到着まで約${expected}分`);
      etas.push(expected);
      // The picture: the service car on its way, 7.7 km out, with its route to the car and its ETA.
      if (etas.length === 1) {
        const box = await page.locator('section.map svg').boundingBox();
        const carBox = await marker.locator('rect').boundingBox();
        expect(box && carBox && carBox.x > box.x && carBox.x < box.x + box.width && carBox.y > box.y && carBox.y < box.y + box.height, 'the service car inside the map').toBe(true);
        expect(await axeSerious(page), 'the service car on the map with its ETA').toEqual([]);
        await screenshot(page, 'docs/console-service-car-1280x800-ja.png');
      }
    }
    expect(etas).toEqual([12, 8, 3]);

    // The service car arrives: the dispatch completes (Tab to 完了, Enter); the car leaves the map.
    await report(0.05);
    await blur();
    await tabTo(page, (el) => el.tag === 'button' && el.text === '完了', 'completed');
    await kb.press('Enter');
    await expect.poll(() => road.getAttribute('data-status')).toBe('completed');
    expect(await road.locator('.dispatch-head').textContent()).toContain('完了');
    await expect.poll(() => marker.count()).toBe(0);
    expect(await live.count()).toBe(0);
    expect((await caseOf(vin)).dispatches!.find((d) => d.agency === 'road_service')!.status).toBe('completed');
    expect((await api('GET', `/v1/track/${dispatch.trackToken}`)).status).toBe(410);

    // Hang up, then x: the trouble resolutions, "road service arranged" first; Enter closes.
    await blur();
    await kb.press('h');
    await expect.poll(() => callState.getAttribute('data-state')).toBe('cleared');
    await kb.press('x');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('resolution');
    const options = await page.locator('#resolution option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(options).toEqual(['', 'road_service_arranged', 'advice_given', 'accidental', 'duplicate', 'other']);
    await kb.press('ArrowDown');
    expect(await page.locator('#resolution').inputValue()).toBe('road_service_arranged');
    expect(await page.locator('#resolution option:checked').textContent()).toMatch(/ロードサービス/);
    await kb.press('Enter');
    await page.locator(`li[data-vin="${vin}"]`).waitFor({ state: 'detached' });
    const closed = await caseOf(vin);
    expect(closed).toMatchObject({ status: 'closed', resolution: 'road_service_arranged' });
    const audit = (await stack.store.listAudit({ limit: 50 }))!.filter((e) => e.vin === vin).map((e) => e.action);
    expect(audit).toEqual(expect.arrayContaining(['case.answer', 'dispatch.create', 'case.hangup', 'case.close']));
    expect(await page.evaluate(() => (window as unknown as { __clicks: number }).__clicks)).toBe(0);
    expect(errors).toEqual([]);
  }, 90_000);
});
