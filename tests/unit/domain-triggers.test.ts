import { describe, expect, it } from 'vitest';
import { decideEvent, emptyVehicle } from '../../services/incident/domain/index.js';
import { DomainPipeline, event, commandsOf, context, T0, TOKYO, VIN, VIN_B, VIN_C } from '../helpers/domain-pipeline.js';

const fresh = (vin = VIN) => ({ vehicle: emptyVehicle(vin), cases: [], sessions: [] });

describe('D1 triggers open cases', () => {
  it('D1.1 an airbag deployment opens a priority-1 case with a ringing call the car cannot hang up', () => {
    // given a car with nothing going on
    // when its airbag deploys
    const d = decideEvent(fresh(), event('airbag', { data: { deployed: ['driver_front', 'curtain_right'] } }), context(T0));
    // then one case is opened for the operator, auto-notification style
    expect(d.cases).toHaveLength(1);
    const [c] = d.cases;
    expect(c).toMatchObject({ vin: VIN, trigger: 'airbag', priority: 1, status: 'open', data: { deployed: ['driver_front', 'curtain_right'] } });
    expect(d.sessions).toEqual([expect.objectContaining({ id: c!.sessionId, caseId: c!.id, state: 'ringing', hangupPolicy: 'operator_only' })]);
    expect(commandsOf(d.commands, 'call.state')).toEqual([{ cmd: 'call.state', sessionId: c!.sessionId, state: 'ringing', audioMuted: true }]);
  });

  it('D1.1 an airbag deployment auto-notifies even when its delta-V is below the impact threshold', () => {
    const d = decideEvent(fresh(), event('airbag', { data: { deployed: ['side_left'], deltaVKmh: 3 } }), context(T0));
    expect(d.cases.map((c) => [c.trigger, c.priority])).toEqual([['airbag', 1]]);
    expect(d.sessions.map((s) => s.hangupPolicy)).toEqual(['operator_only']);
  });

  it('D1.2 an impact below the default 8 km/h threshold is recorded, not escalated', () => {
    const d = decideEvent(fresh(), event('impact', { eventId: 'imp-1', data: { deltaVKmh: 7.99, direction: 'rear' } }), context(T0));
    expect(d.cases).toEqual([]);
    expect(d.sessions).toEqual([]);
    expect(d.impacts).toEqual([expect.objectContaining({ eventId: 'imp-1', deltaVKmh: 7.99, direction: 'rear', escalated: false })]);
    expect(d.vehicle.lockout.features).toEqual([]);
    expect(d.commands).toEqual([]);
  });

  it('D1.2 an impact at exactly 8 km/h auto-notifies: priority 1, operator-only hang-up, and is recorded as escalated', () => {
    const d = decideEvent(fresh(), event('impact', { data: { deltaVKmh: 8 } }), context(T0));
    expect(d.cases).toEqual([expect.objectContaining({ trigger: 'impact', priority: 1, status: 'open' })]);
    expect(d.sessions).toEqual([expect.objectContaining({ hangupPolicy: 'operator_only', state: 'ringing' })]);
    expect(d.impacts).toEqual([expect.objectContaining({ deltaVKmh: 8, escalated: true })]);
  });

  it('D1.2 the threshold is configurable (IMPACT_DELTA_V_KMH): with 15 km/h, 14.9 is recorded and 15 escalates', () => {
    const ctx = () => context(T0, { impactThresholdKmh: 15 });
    const below = decideEvent(fresh(), event('impact', { data: { deltaVKmh: 14.9 } }), ctx());
    const at = decideEvent(fresh(), event('impact', { data: { deltaVKmh: 15 } }), ctx());
    expect(below.cases).toEqual([]);
    expect(below.impacts[0]?.escalated).toBe(false);
    expect(at.cases.map((c) => c.priority)).toEqual([1]);
    // and a lower threshold escalates what the default would only record
    const low = decideEvent(fresh(), event('impact', { data: { deltaVKmh: 5 } }), context(T0, { impactThresholdKmh: 4 }));
    expect(low.cases.map((c) => c.trigger)).toEqual(['impact']);
  });

  it('D1.2 a recorded sub-threshold impact is kept in the store for the car', async () => {
    const p = new DomainPipeline();
    await p.event(event('impact', { eventId: 'small', data: { deltaVKmh: 3 } }));
    expect(await p.store.listImpacts(VIN)).toEqual([expect.objectContaining({ eventId: 'small', escalated: false })]);
    expect(await p.store.listCases('open')).toEqual([]);
  });

  it('D1.3 the SOS button opens a priority-2 case whose call either side may hang up', () => {
    const d = decideEvent(fresh(), event('sos'), context(T0));
    expect(d.cases).toEqual([expect.objectContaining({ trigger: 'sos', priority: 2, status: 'open' })]);
    expect(d.sessions).toEqual([expect.objectContaining({ hangupPolicy: 'either', state: 'ringing', audioMuted: true })]);
  });

  it('D1.4 the trouble support button opens a priority-3 case whose call either side may hang up', () => {
    const d = decideEvent(fresh(), event('trouble', { data: { warningLamps: ['engine'] } }), context(T0));
    expect(d.cases).toEqual([expect.objectContaining({ trigger: 'trouble', priority: 3, status: 'open', data: { warningLamps: ['engine'] } })]);
    expect(d.sessions).toEqual([expect.objectContaining({ hangupPolicy: 'either', state: 'ringing' })]);
  });
});

describe('D2.1 every trigger opens a voice session', () => {
  it.each(['airbag', 'impact', 'sos', 'trouble'] as const)('D2.1 %s: the case and its session reference each other, are stored and announced', async (type) => {
    const p = new DomainPipeline();
    const { result } = await p.event(event(type, { occupants: 2 }));
    expect(result.status).toBe('ok');
    const [c] = await p.store.listCases('open');
    expect(c).toMatchObject({ trigger: type, occupants: 2, openedAt: '2026-11-21T10:00:00.000Z' });
    const s = await p.store.getSession(c!.sessionId);
    expect(s).toMatchObject({ caseId: c!.id, vin: VIN, state: 'ringing', openedAt: c!.openedAt, callbacks: [] });
    // the operator console learns of both
    expect(p.feed.map((m) => m.type)).toEqual(expect.arrayContaining(['case.opened', 'session.updated']));
  });

  it('D2.1 power and security-alarm events open no case and no session', async () => {
    const p = new DomainPipeline();
    await p.event(event('power', { data: { mode: 'on' } }));
    await p.event(event('security-alarm'));
    expect(await p.store.listCases('open')).toEqual([]);
    expect(p.commandsFor().filter((c) => c.cmd === 'call.state')).toEqual([]);
  });
});

describe('D2.7 position may be unavailable', () => {
  it('D2.7 an event with position null opens a case with position null; a known position is kept as sent', async () => {
    const p = new DomainPipeline();
    await p.event(event('sos', { vin: VIN, position: null }));
    await p.event(event('airbag', { vin: VIN_B, position: TOKYO }));
    const byVin = new Map((await p.store.listCases('open')).map((c) => [c.vin, c]));
    expect(byVin.get(VIN)?.position).toBeNull();
    expect(byVin.get(VIN_B)?.position).toEqual(TOKYO);
  });
});

describe('contract: test calls and priorities', () => {
  it('contract: test: true opens a case marked test that reaches the queue but locks nothing out', async () => {
    const p = new DomainPipeline();
    await p.event(event('airbag', { test: true }));
    const [c] = await p.store.listCases('open');
    expect(c).toMatchObject({ test: true, trigger: 'airbag', priority: 1, lockout: { active: false, features: [], until: null } });
    expect((await p.lockout()).active).toBe(false);
    expect(p.commandsFor().map((b) => b.cmd)).not.toContain('lockout');
    // and the car's features work as usual: a security alarm reaches the partner
    const { decision } = await p.event(event('security-alarm'));
    expect(decision.alerts[0]?.status).toBe('delivered');
  });

  it('contract: a test SOS call does not turn Wi-Fi off', async () => {
    const p = new DomainPipeline();
    await p.event(event('sos', { test: true }));
    expect(commandsOf(p.commandsFor(), 'wifi')).toEqual([]);
  });

  it('contract: an event without test is not a test case', async () => {
    const p = new DomainPipeline();
    await p.event(event('sos'));
    expect((await p.store.listCases('open'))[0]?.test).toBe(false);
  });

  it('contract: the open queue puts priority 1 (airbag, impact) before 2 (sos) before 3 (trouble), then oldest first', async () => {
    const p = new DomainPipeline();
    await p.event(event('trouble', { vin: VIN }));
    await p.advance(1000);
    await p.event(event('sos', { vin: VIN_B }));
    await p.advance(1000);
    await p.event(event('impact', { vin: VIN_C, data: { deltaVKmh: 30 } }));
    await p.advance(1000);
    await p.event(event('airbag', { vin: 'JHMZE2H59ES000009' }));
    const queue = await p.store.listCases('open');
    expect(queue.map((c) => [c.trigger, c.priority])).toEqual([
      ['impact', 1],
      ['airbag', 1],
      ['sos', 2],
      ['trouble', 3],
    ]);
  });
});
