import { describe, expect, it } from 'vitest';
import { TOKYO, VIN, VIN_B, VIN_C } from '../helpers/domain-fixtures.js';
import { domainSpec } from '../helpers/domain-spec.js';
import { after, airbag, alarm, impact, power, sos, trouble } from '../helpers/domain-steps.js';
import { SESSION, alarm as alarmed, call, commands, feed, impacts, lockout, opened, queue } from '../helpers/domain-then.js';

describe('D1 triggers open cases', () => {
  it('D1.1 an airbag deployment opens a priority-1 case with a ringing call the car cannot hang up', async () => {
    // given a car with nothing going on, when its airbag deploys
    await domainSpec()
      .when(airbag({ data: { deployed: ['driver_front', 'curtain_right'] } }))
      // then one case is opened for the operator, auto-notification style
      .then(
        opened({ vin: VIN, trigger: 'airbag', priority: 1, status: 'open', data: { deployed: ['driver_front', 'curtain_right'] } }),
        call({ state: 'ringing', hangupPolicy: 'operator_only' }),
        feed(['case.opened', 'session.updated', 'lockout.updated']),
        commands('call.state', [{ sessionId: SESSION, state: 'ringing', audioMuted: true }]),
      );
  });

  it('D1.1 an airbag deployment auto-notifies even when its delta-V is below the impact threshold', async () => {
    await domainSpec()
      .when(airbag({ data: { deployed: ['side_left'], deltaVKmh: 3 } }))
      .then(opened({ trigger: 'airbag', priority: 1 }), call({ hangupPolicy: 'operator_only' }));
  });

  it('D1.2 an impact below the default 8 km/h threshold is recorded, not escalated', async () => {
    await domainSpec()
      .when(impact(7.99, { eventId: 'imp-1', direction: 'rear' }))
      .then(
        opened(),
        feed([]),
        impacts([{ eventId: 'imp-1', deltaVKmh: 7.99, direction: 'rear', escalated: false }]),
        lockout({ active: false, features: [] }),
        commands([]),
      );
  });

  it('D1.2 an impact at exactly 8 km/h auto-notifies: priority 1, operator-only hang-up, and is recorded as escalated', async () => {
    await domainSpec()
      .when(impact(8))
      .then(
        opened({ trigger: 'impact', priority: 1, status: 'open' }),
        call({ hangupPolicy: 'operator_only', state: 'ringing' }),
        impacts([{ deltaVKmh: 8, escalated: true }]),
      );
  });

  it('D1.2 the threshold is configurable (IMPACT_DELTA_V_KMH): with 15 km/h, 14.9 is recorded and 15 escalates', async () => {
    const env = { IMPACT_DELTA_V_KMH: '15' };
    await domainSpec({ env }).when(impact(14.9)).then(opened(), impacts([{ deltaVKmh: 14.9, escalated: false }]));
    await domainSpec({ env }).when(impact(15)).then(opened({ trigger: 'impact', priority: 1 }));
    // and a lower threshold escalates what the default would only record
    await domainSpec({ env: { IMPACT_DELTA_V_KMH: '4' } }).when(impact(5)).then(opened({ trigger: 'impact' }));
  });

  it('D1.2 a recorded sub-threshold impact is kept in the store for the car', async () => {
    await domainSpec()
      .when(impact(3, { eventId: 'small' }))
      .then(impacts([{ eventId: 'small', escalated: false }]), queue([]));
  });

  it('D1.3 the SOS button opens a priority-2 case whose call either side may hang up', async () => {
    await domainSpec()
      .when(sos())
      .then(opened({ trigger: 'sos', priority: 2, status: 'open' }), call({ hangupPolicy: 'either', state: 'ringing', audioMuted: true }));
  });

  it('D1.4 the trouble support button opens a priority-3 case whose call either side may hang up', async () => {
    await domainSpec()
      .when(trouble({ data: { warningLamps: ['engine'] } }))
      .then(opened({ trigger: 'trouble', priority: 3, status: 'open', data: { warningLamps: ['engine'] } }), call({ hangupPolicy: 'either', state: 'ringing' }));
  });
});

describe('D2.1 every trigger opens a voice session', () => {
  const triggers = { airbag: () => airbag({ occupants: 2 }), impact: () => impact(20, { occupants: 2 }), sos: () => sos({ occupants: 2 }), trouble: () => trouble({ occupants: 2 }) };

  it.each(['airbag', 'impact', 'sos', 'trouble'] as const)('D2.1 %s: the case and its session reference each other, are stored and announced', async (type) => {
    await domainSpec()
      .when(triggers[type]())
      .then(
        opened({ trigger: type, occupants: 2, openedAt: '2026-11-21T10:00:00.000Z' }),
        call({ vin: VIN, state: 'ringing', openedAt: '2026-11-21T10:00:00.000Z', callbacks: [] }),
        // the operator console learns of both
        (o) => expect(o.feed.map((m) => m.type)).toEqual(expect.arrayContaining(['case.opened', 'session.updated'])),
      );
  });

  it('D2.1 power and security-alarm events open no case and no session', async () => {
    await domainSpec()
      .when(power('on'), alarm())
      .then(opened(), queue([]), (o) => expect(o.feed.filter((m) => m.type === 'session.updated')).toEqual([]), commands('call.state', []));
  });
});

describe('D2.7 position may be unavailable', () => {
  it('D2.7 an event with position null opens a case with position null; a known position is kept as sent', async () => {
    await domainSpec()
      .when(sos({ vin: VIN, position: null }), airbag({ vin: VIN_B, position: TOKYO }))
      .then(opened({ vin: VIN, position: null }, { vin: VIN_B, position: TOKYO }));
  });
});

describe('contract: test calls and priorities', () => {
  it('contract: test: true opens a case marked test that reaches the queue but locks nothing out', async () => {
    const spec = domainSpec();
    await spec
      .when(airbag({ test: true }))
      .then(
        opened({ test: true, trigger: 'airbag', priority: 1, lockout: { vin: VIN, active: false, features: [], until: null } }),
        queue([{ test: true }]),
        lockout({ active: false }),
        commands(['call.state']),
      );
    // and the car's features work as usual: a security alarm reaches the partner
    await spec.when(alarm()).then(alarmed('delivered'));
  });

  it('contract: a test SOS call does not turn Wi-Fi off', async () => {
    await domainSpec().when(sos({ test: true })).then(commands('wifi', []));
  });

  it('contract: an event without test is not a test case', async () => {
    await domainSpec().when(sos()).then(opened({ test: false }));
  });

  it('contract: the open queue puts priority 1 (airbag, impact) before 2 (sos) before 3 (trouble), then, at equal severity, oldest first', async () => {
    // the two crashes carry the same data, so the same severity (D4.3): age decides between them
    await domainSpec()
      .given(trouble({ vin: VIN }), after(1000), sos({ vin: VIN_B }), after(1000), impact(30, { vin: VIN_C }), after(1000))
      .when(airbag({ vin: 'JHMZE2H59ES000009', data: { deployed: ['driver_front'], deltaVKmh: 30 } }))
      .then(
        queue([
          { trigger: 'impact', priority: 1 },
          { trigger: 'airbag', priority: 1 },
          { trigger: 'sos', priority: 2 },
          { trigger: 'trouble', priority: 3 },
        ]),
      );
  });
});
