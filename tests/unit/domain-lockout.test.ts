import { describe, expect, it } from 'vitest';
import { isoTime, type Trigger } from '../../protocol/index.js';
import { decideExpiry, emptyVehicle, isFeatureLocked, isNoop, type VehicleAggregate } from '../../services/incident/domain/index.js';
import { DomainPipeline, LOCKOUT_MS, MINUTE, SECOND, T0, VIN, VIN_B, accepted, commandsOf, context, event } from '../helpers/domain-pipeline.js';

const AUTO_FEATURES = ['remote_operations', 'trouble_button', 'security_alarm'];

/** Given: a `trigger` call answered by op-1, then (optionally) hung up `talkMs` later. */
async function givenClearedCall(trigger: Trigger, talkMs = 5 * MINUTE) {
  const p = new DomainPipeline();
  await p.event(event(trigger));
  const [c] = await p.store.listCases('open');
  accepted(await p.act(VIN, { kind: 'answer', caseId: c!.id, operatorId: 'op-1' }));
  await p.advance(talkMs);
  accepted(await p.act(VIN, { kind: 'hangup', caseId: c!.id, operatorId: 'op-1' }));
  return { p, caseId: c!.id, clearedAt: p.clock.now() };
}

describe('D3.1 / D3.2 / D3.3 what each trigger locks', () => {
  it.each(['airbag', 'impact'] as const)('D3.1 %s locks remote operations, the trouble button and security alarms', async (trigger) => {
    const p = new DomainPipeline();
    await p.event(event(trigger));
    const view = await p.lockout();
    expect(view).toEqual({ vin: VIN, active: true, features: AUTO_FEATURES, until: null });
    const { vehicle } = await p.load();
    expect(isFeatureLocked(vehicle.lockout, 'remote_operations', p.clock.now())).toBe(true);
    expect(isFeatureLocked(vehicle.lockout, 'wifi', p.clock.now())).toBe(false);
    // the car gets the lockout mirrored, and Wi-Fi is left alone
    expect(commandsOf(p.commandsFor(), 'lockout')).toEqual([{ cmd: 'lockout', vin: VIN, active: true, features: AUTO_FEATURES, until: null }]);
    expect(commandsOf(p.commandsFor(), 'wifi')).toEqual([]);
  });

  it('D3.1 the open case carries the lockout it caused', async () => {
    const p = new DomainPipeline();
    await p.event(event('airbag'));
    expect((await p.store.listCases('open'))[0]?.lockout).toEqual({ vin: VIN, active: true, features: AUTO_FEATURES, until: null });
  });

  it('D3.2 SOS also locks Wi-Fi and app-centre apps and turns the car Wi-Fi off', async () => {
    const p = new DomainPipeline();
    await p.event(event('sos'));
    expect((await p.lockout()).features).toEqual([...AUTO_FEATURES, 'wifi', 'app_center']);
    expect(commandsOf(p.commandsFor(), 'wifi')).toEqual([{ cmd: 'wifi', enabled: false }]);
  });

  it('D3.2 when the SOS lockout expires the car Wi-Fi is turned back on', async () => {
    const { p, clearedAt } = await givenClearedCall('sos');
    await p.clock.advanceTo(clearedAt + LOCKOUT_MS);
    const d = await p.expire();
    expect(commandsOf(d.commands, 'wifi')).toEqual([{ cmd: 'wifi', enabled: true }]);
    expect(commandsOf(d.commands, 'lockout')).toEqual([{ cmd: 'lockout', vin: VIN, active: false, features: [], until: null }]);
  });

  it('D3.2 at expiry Wi-Fi goes back to the owner setting: an owner who had it off keeps it off', () => {
    const now = T0 + 2 * LOCKOUT_MS;
    const aggregate: VehicleAggregate = {
      vehicle: { ...emptyVehicle(VIN), version: 3, wifiEnabled: false, lockout: { features: [...AUTO_FEATURES, 'wifi', 'app_center'] as never, holdingSessionIds: [], until: T0 + LOCKOUT_MS } },
      cases: [],
      sessions: [],
    };
    const d = decideExpiry(aggregate, context(now));
    expect(commandsOf(d.commands, 'wifi')).toEqual([{ cmd: 'wifi', enabled: false }]);
  });

  it('D3.3 the trouble support button alone locks nothing', async () => {
    const p = new DomainPipeline();
    await p.event(event('trouble'));
    expect(await p.lockout()).toEqual({ vin: VIN, active: false, features: [], until: null });
    expect(p.commandsFor().map((c) => c.cmd)).not.toContain('lockout');
    const { decision } = await p.event(event('security-alarm'));
    expect(decision.alerts[0]?.status).toBe('delivered');
  });
});

describe('D3.5 the lockout holds until 60 minutes after clear-down', () => {
  it('D3.5 while the call lives the lockout is held open with until null, however long the call lasts', async () => {
    const p = new DomainPipeline();
    await p.event(event('airbag'));
    await p.advance(3 * LOCKOUT_MS);
    await p.expire();
    expect(await p.lockout()).toMatchObject({ active: true, until: null });
  });

  it('D3.5 at clear-down until becomes clearedAt + 60 minutes, on the car, the API and the open case', async () => {
    const { p, caseId, clearedAt } = await givenClearedCall('airbag', 7 * MINUTE);
    const until = isoTime(clearedAt + LOCKOUT_MS);
    expect(await p.lockout()).toEqual({ vin: VIN, active: true, features: AUTO_FEATURES, until });
    expect(commandsOf(p.commandsFor(), 'lockout').at(-1)).toMatchObject({ active: true, until });
    expect((await p.store.getCase(caseId))?.lockout.until).toBe(until);
    expect(p.feed.filter((m) => m.type === 'lockout.updated').at(-1)).toMatchObject({ lockout: { until } });
  });

  it('D3.5 lockout holds until 60 minutes after clear-down, not before: locked at 59:59.999, expired at 60:00', async () => {
    const { p, clearedAt } = await givenClearedCall('airbag');
    await p.clock.advanceTo(clearedAt + LOCKOUT_MS - 1);
    expect((await p.lockout()).active).toBe(true);
    expect(isNoop(await p.expire())).toBe(true);
    const { decision } = await p.event(event('security-alarm'));
    expect(decision.alerts[0]?.status).toBe('suppressed');

    await p.clock.advanceTo(clearedAt + LOCKOUT_MS);
    expect((await p.lockout()).active).toBe(false);
    const expiry = await p.expire();
    expect(expiry.lockoutChanged).toBe(true);
    expect((await p.load()).vehicle.lockout).toEqual({ features: [], holdingSessionIds: [], until: null });
  });

  it('D3.5 LOCKOUT_MINUTES is configurable: with 10 minutes the lockout ends 10 minutes after clear-down', async () => {
    const p = new DomainPipeline({ lockoutMs: 10 * MINUTE });
    await p.event(event('sos'));
    const [c] = await p.store.listCases('open');
    accepted(await p.act(VIN, { kind: 'hangup', caseId: c!.id, operatorId: 'op-1' }));
    expect((await p.lockout()).until).toBe(isoTime(T0 + 10 * MINUTE));
  });

  it('D3.5 a new trigger during the lockout holds it open again and extends it to 60 minutes after its own clear-down', async () => {
    const { p, clearedAt } = await givenClearedCall('airbag');
    await p.advance(30 * MINUTE);
    await p.event(event('sos'));
    // held again by the new call, with SOS features added
    expect(await p.lockout()).toMatchObject({ active: true, until: null, features: [...AUTO_FEATURES, 'wifi', 'app_center'] });
    const sos = (await p.store.listCases('open')).find((c) => c.trigger === 'sos')!;
    await p.advance(15 * MINUTE);
    accepted(await p.act(VIN, { kind: 'hangup', caseId: sos.id, operatorId: 'op-2' }));
    const secondClear = p.clock.now();
    expect(secondClear).toBe(clearedAt + 45 * MINUTE);
    expect((await p.lockout()).until).toBe(isoTime(secondClear + LOCKOUT_MS));
    // still locked where the first lockout alone would have ended
    await p.clock.advanceTo(clearedAt + LOCKOUT_MS + 1);
    expect(isNoop(await p.expire())).toBe(true);
    expect((await p.lockout()).active).toBe(true);
  });

  it('D3.5 a lockout only grows: an airbag during an SOS lockout keeps Wi-Fi and app-centre locked, and Wi-Fi stays off', async () => {
    const { p } = await givenClearedCall('sos');
    await p.advance(20 * MINUTE);
    const { decision } = await p.event(event('airbag'));
    expect(await p.lockout()).toMatchObject({ active: true, until: null, features: [...AUTO_FEATURES, 'wifi', 'app_center'] });
    expect(commandsOf(decision.commands, 'wifi')).toEqual([]);
  });

  it('D3.5 the lockout never shortens: a trigger cleared under a shorter LOCKOUT_MINUTES keeps the earlier, later end', async () => {
    // given a 60-minute lockout ending at clearedAt + 60 min
    const { p, clearedAt } = await givenClearedCall('airbag');
    const firstUntil = clearedAt + LOCKOUT_MS;
    // when the service restarts with LOCKOUT_MINUTES=5 and a new SOS call is opened and cleared
    p.lockoutMs = 5 * MINUTE;
    await p.advance(MINUTE);
    await p.event(event('sos'));
    const sos = (await p.store.listCases('open')).find((c) => c.trigger === 'sos')!;
    accepted(await p.act(VIN, { kind: 'hangup', caseId: sos.id, operatorId: 'op-2' }));
    // then the lockout still ends at the first end, not 5 minutes after the second clear-down
    expect((await p.lockout()).until).toBe(isoTime(firstUntil));
    await p.clock.advanceTo(firstUntil - 1);
    expect(isNoop(await p.expire())).toBe(true);
  });

  it('D3.5 a lockout whose end passed while nothing processed it is not enforced, and decideExpiry clears it', async () => {
    const { p, caseId, clearedAt } = await givenClearedCall('sos');
    await p.clock.advanceTo(clearedAt + 2 * LOCKOUT_MS);
    // the API already lets things through even though no timer ran
    expect((await p.lockout()).active).toBe(false);
    const { decision } = await p.event(event('security-alarm'));
    expect(decision.alerts[0]?.status).toBe('delivered');
    // and the late expiry tells the car, the feed and the open case
    const d = await p.expire();
    expect(commandsOf(d.commands, 'lockout')).toEqual([{ cmd: 'lockout', vin: VIN, active: false, features: [], until: null }]);
    expect(commandsOf(d.commands, 'wifi')).toEqual([{ cmd: 'wifi', enabled: true }]);
    expect(d.feed.map((m) => m.type)).toEqual(['case.updated', 'lockout.updated']);
    expect((await p.store.getCase(caseId))?.lockout).toEqual({ vin: VIN, active: false, features: [], until: null });
    expect(isNoop(await p.expire())).toBe(true);
  });

  it('D3.5 a new trigger after an unprocessed expiry starts a fresh lockout with only its own features, and Wi-Fi is given back', async () => {
    const { p, clearedAt } = await givenClearedCall('sos');
    await p.clock.advanceTo(clearedAt + LOCKOUT_MS + MINUTE);
    const { decision } = await p.event(event('airbag'));
    expect(await p.lockout()).toEqual({ vin: VIN, active: true, features: AUTO_FEATURES, until: null });
    expect(commandsOf(decision.commands, 'wifi')).toEqual([{ cmd: 'wifi', enabled: true }]);
  });

  it('D3.5 expiry never clears a lockout held by a live call, even one with a stale end time', () => {
    const aggregate: VehicleAggregate = {
      vehicle: { ...emptyVehicle(VIN), version: 2, lockout: { features: AUTO_FEATURES as never, holdingSessionIds: ['s-live'], until: T0 } },
      cases: [],
      sessions: [],
    };
    expect(isNoop(decideExpiry(aggregate, context(T0 + 5 * LOCKOUT_MS)))).toBe(true);
  });
});

describe('contract: the trouble button and security alarms during a lockout', () => {
  it('contract: a trouble press during a lockout gets trouble_button_unavailable with the lockout end, and opens no case', async () => {
    const { p, clearedAt } = await givenClearedCall('airbag');
    const { decision } = await p.event(event('trouble'));
    expect(commandsOf(decision.commands, 'notice')).toEqual([{ cmd: 'notice', code: 'trouble_button_unavailable', until: isoTime(clearedAt + LOCKOUT_MS) }]);
    expect(decision.cases).toEqual([]);
    expect((await p.store.listCases('open')).map((c) => c.trigger)).toEqual(['airbag']);
  });

  it('D3.1 the trouble button works again once the lockout is over (a trouble case opens)', async () => {
    const { p, clearedAt } = await givenClearedCall('airbag');
    await p.clock.advanceTo(clearedAt + LOCKOUT_MS);
    const { decision } = await p.event(event('trouble'));
    expect(decision.cases.map((c) => c.trigger)).toEqual(['trouble']);
  });

  it('contract: a security alarm is delivered to the partner with no lockout and suppressed during one', async () => {
    const p = new DomainPipeline();
    const before = await p.event(event('security-alarm', { eventId: 'al-1', data: { kind: 'glass_break' } }));
    expect(before.decision.alerts).toEqual([expect.objectContaining({ eventId: 'al-1', kind: 'glass_break', status: 'delivered' })]);
    expect(before.decision.partnerAlarms.map((a) => a.eventId)).toEqual(['al-1']);

    await p.event(event('airbag'));
    const during = await p.event(event('security-alarm', { eventId: 'al-2' }));
    expect(during.decision.alerts.map((a) => a.status)).toEqual(['suppressed']);
    expect(during.decision.partnerAlarms).toEqual([]);
    expect((await p.store.listAlerts(VIN)).map((a) => [a.eventId, a.status])).toEqual([
      ['al-1', 'delivered'],
      ['al-2', 'suppressed'],
    ]);
  });

  it('D3.1 a lockout on one car does not touch another car', async () => {
    const p = new DomainPipeline();
    await p.event(event('airbag', { vin: VIN }));
    await p.advance(SECOND);
    const other = await p.event(event('security-alarm', { vin: VIN_B }));
    const trouble = await p.event(event('trouble', { vin: VIN_B }));
    expect(other.decision.alerts[0]?.status).toBe('delivered');
    expect(trouble.decision.cases.map((c) => c.trigger)).toEqual(['trouble']);
    expect((await p.lockout(VIN_B)).active).toBe(false);
  });
});
