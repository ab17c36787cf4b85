import { afterEach, describe, expect, it } from 'vitest';
import { isCommand } from '../../simulator/car/index.js';
import { VirtualClock } from '../../lib/clock/index.js';
import { MemoryStore } from '../../services/incident/store/index.js';
import type { Case } from '../../protocol/index.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';
import { vin } from '../helpers/vins.js';

/** The stack runs on a virtual clock: 60 minutes pass in milliseconds. Cars and sockets are real. */
describe('D3.5 lockout expiry in virtual time', () => {
  const stacks: TestStack[] = [];
  afterEach(async () => {
    while (stacks.length) await stacks.pop()!.close();
  });
  const start = async (clock: VirtualClock, store = new MemoryStore()) => {
    const s = await startTestStack({ clock, store });
    stacks.push(s);
    return s;
  };

  async function sosThenHangup(stack: TestStack, v: string) {
    const feed = await stack.feed();
    const car = await stack.car(v);
    await car.pressSos();
    const { case: c } = await feed.next<{ type: 'case.opened'; case: Case }>((m) => m.type === 'case.opened');
    await stack.http('POST', `/v1/cases/${c.id}/hangup`, {});
    await car.signals.waitFor((s) => s.kind === 'lockout' && s.lockout.until !== null);
    return { car, c };
  }

  it('D3.5 D3.2: 60 minutes after clear-down the car gets the cleared lockout and its Wi-Fi back, not a moment before', async () => {
    const clock = new VirtualClock();
    const stack = await start(clock);
    const { car } = await sosThenHangup(stack, vin(20));

    await clock.advance(60 * 60_000 - 1);
    expect((await stack.http('GET', `/v1/vehicles/${vin(20)}/lockout`)).body.active).toBe(true);
    expect((await stack.http('PUT', `/v1/vehicles/${vin(20)}/wifi`, { enabled: true })).status).toBe(423);

    await clock.advance(1);
    await car.signals.waitFor((s) => s.kind === 'lockout' && !s.lockout.active);
    await car.signals.waitFor(isCommand('wifi', (w) => w.enabled));
    expect(car.state.wifiEnabled).toBe(true);
    expect((await stack.http('GET', `/v1/vehicles/${vin(20)}/lockout`)).body).toEqual({ vin: vin(20), active: false, features: [], until: null });
    expect((await stack.http('POST', `/v1/vehicles/${vin(20)}/remote-operations`, { operation: 'door_lock' })).status).toBe(202);
  });

  it('D3.5: a new trigger during the lockout extends it; it never shortens', async () => {
    const clock = new VirtualClock();
    const stack = await start(clock);
    const { car } = await sosThenHangup(stack, vin(21));
    const firstUntil = (await stack.http('GET', `/v1/vehicles/${vin(21)}/lockout`)).body.until;
    await clock.advance(30 * 60_000);
    await car.airbag();
    await expect.poll(async () => (await stack.http('GET', `/v1/vehicles/${vin(21)}/lockout`)).body.until).toBeNull(); // held by the new call
    const open = (await stack.http('GET', '/v1/cases?status=open')).body as Case[];
    const airbag = open.find((c) => c.trigger === 'airbag' && c.vin === vin(21))!;
    await clock.advance(10 * 60_000);
    await stack.http('POST', `/v1/cases/${airbag.id}/hangup`, {});
    const until = (await stack.http('GET', `/v1/vehicles/${vin(21)}/lockout`)).body.until;
    expect(Date.parse(until)).toBe(clock.now() + 60 * 60_000);
    expect(Date.parse(until)).toBeGreaterThan(Date.parse(firstUntil));
    await clock.advance(59 * 60_000);
    expect((await stack.http('GET', `/v1/vehicles/${vin(21)}/lockout`)).body.active).toBe(true);
  });

  it('D3.5: timers are re-armed from the store at start; an expiry that fell due while down fires at once', async () => {
    const clock = new VirtualClock();
    const store = new MemoryStore();
    const first = await start(clock, store);
    await sosThenHangup(first, vin(22));
    await first.close();
    stacks.pop();

    await clock.advance(2 * 60 * 60_000); // the service is down for two hours
    const second = await start(clock, store);
    const car = await second.car(vin(22), 2);
    await clock.advance(0);
    await expect.poll(async () => (await second.http('GET', `/v1/vehicles/${vin(22)}/lockout`)).body.active).toBe(false);
    // The retained lockout topic says so too: a car that connects now is not locked out.
    await car.signals.waitFor((s) => s.kind === 'lockout' && !s.lockout.active);
  });
});
