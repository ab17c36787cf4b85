import { describe, expect, it } from 'vitest';
import type { EventOf, LockoutFeature } from '../../protocol/index.js';
import { LOCKOUT_MS, MINUTE, SECOND, T0, VIN, event } from '../helpers/domain-fixtures.js';
import { domainSpec, type Step } from '../helpers/domain-spec.js';
import { after, airbag, impact, operator, send, sos, trouble } from '../helpers/domain-steps.js';
import { SESSION, call, commands, duplicate, feed, lockout, opened, queue, refused, theCase } from '../helpers/domain-then.js';

const AUTO: LockoutFeature[] = ['remote_operations', 'trouble_button', 'security_alarm'];
const SOS: LockoutFeature[] = [...AUTO, 'wifi', 'app_center'];
const at = (ms: number) => new Date(ms).toISOString();

/** An impact over the threshold with the richer crash data, one occupant. */
function crash(data: Partial<EventOf<'impact'>['data']> & { deltaVKmh: number }, eventId?: string): Step {
  return { label: `impact ${JSON.stringify(data)}`, run: (spec) => send(event('impact', { at: spec.clock.now(), occupants: 1, data, ...(eventId ? { eventId } : {}) })).run(spec) };
}

describe('contract "One call at a time": a further emergency event joins the live call', () => {
  it('one call at a time: a second airbag event during a live airbag call joins its case: listed in triggers, no new case or call, case.updated', async () => {
    await domainSpec()
      .given(airbag({ eventId: 'a-1' }), after(20 * SECOND))
      .when(airbag({ eventId: 'a-2', data: { deployed: ['curtain_right'] } }))
      .then(
        opened(),
        feed(['case.updated']),
        commands([]), // the car is already in the call: no second ringing call
        queue(['airbag']),
        theCase({
          eventId: 'a-1',
          priority: 1,
          triggers: [
            { type: 'airbag', eventId: 'a-1', at: at(T0) },
            { type: 'airbag', eventId: 'a-2', at: at(T0 + 20 * SECOND), data: { deployed: ['curtain_right'] } },
          ],
        }),
      );
  });

  it('one call at a time, D3.2: an SOS joining a live airbag call widens the lockout (Wi-Fi, app-centre apps), and the car is told', async () => {
    await domainSpec()
      .given(airbag())
      .when(sos())
      .then(
        feed(['case.updated', 'lockout.updated']),
        commands([{ cmd: 'lockout', vin: VIN, active: true, features: SOS, until: null }, { cmd: 'wifi', enabled: false }]),
        lockout({ active: true, features: SOS, until: null }),
        theCase({ trigger: 'airbag', priority: 1, triggers: [expect.objectContaining({ type: 'airbag' }), expect.objectContaining({ type: 'sos' })], lockout: { vin: VIN, active: true, features: SOS, until: null } }),
      );
  });

  it('one call at a time, D2.2, D4.3: an airbag joining a live SOS call raises it to priority 1, makes the call operator-only and adds a severity', async () => {
    await domainSpec()
      .given(sos(), operator('answer'))
      .when(airbag({ occupants: 1, data: { deployed: ['driver_front'], deltaVKmh: 48, direction: 'front', seatbelts: { driver: true } } }))
      .then(
        feed(['case.updated', 'session.updated']), // the SOS call already locks every airbag feature: no lockout change
        commands([]),
        theCase({ trigger: 'sos', priority: 1, severity: expect.objectContaining({ probability: 0.389, recommend: ['doctor_heli'] }) }),
        call({ state: 'connected', hangupPolicy: 'operator_only' }),
      );
  });

  it('one call at a time, D3.3 D3.2: an SOS joining a live trouble call (which locked nothing) raises it to priority 2 and starts the lockout', async () => {
    await domainSpec()
      .given(trouble(), operator('answer'))
      .when(sos())
      .then(theCase({ trigger: 'trouble', priority: 2 }), lockout({ active: true, features: SOS, until: null }), commands(['lockout', 'wifi']), call({ hangupPolicy: 'either' }));
  });

  it('one call at a time, D3.5: the lockout a joined trigger widened runs until LOCKOUT_MINUTES after the call is cleared', async () => {
    await domainSpec()
      .given(trouble(), sos(), operator('answer'), after(5 * MINUTE))
      .when(operator('hangup'))
      .then(lockout({ active: true, features: SOS, until: T0 + 5 * MINUTE + LOCKOUT_MS }));
  });

  it('one call at a time, D4.3: a second crash in the same call counts as a multiple impact; the case keeps the worse estimate', async () => {
    const spec = domainSpec();
    await spec.given(crash({ deltaVKmh: 30, direction: 'front', seatbelts: { driver: true } })).then();
    const first = (await spec.caseOf()).severity!;
    expect(first.inputs.multipleImpacts).toBe(false);
    await spec
      .when(crash({ deltaVKmh: 30, direction: 'front', seatbelts: { driver: true } }))
      .then(theCase({ severity: expect.objectContaining({ inputs: expect.objectContaining({ multipleImpacts: true }) }) }));
    expect((await spec.caseOf()).severity!.probability).toBeGreaterThan(first.probability);
    // a milder later crash does not lower the estimate
    await spec.when(crash({ deltaVKmh: 9, direction: 'rear', seatbelts: { driver: true } })).then();
    expect((await spec.caseOf()).severity!.probability).toBeGreaterThan(first.probability);
  });

  it('one call at a time: a burst of airbag, SOS and impact from one car is one case with three triggers and one call', async () => {
    await domainSpec()
      .when(airbag(), sos(), impact(30))
      .then(
        opened({ trigger: 'airbag' }),
        queue([{ trigger: 'airbag', priority: 1, triggers: [expect.objectContaining({ type: 'airbag' }), expect.objectContaining({ type: 'sos' }), expect.objectContaining({ type: 'impact' })] }]),
        commands('call.state', [{ sessionId: SESSION, state: 'ringing', audioMuted: true }]),
      );
  });

  it('one call at a time: once the call is cleared it is not live, and a new trigger opens a new case and call', async () => {
    await domainSpec()
      .given(airbag(), operator('hangup'))
      .when(airbag())
      .then(opened({ trigger: 'airbag' }), queue(['airbag', 'airbag']), commands('call.state', [{ sessionId: SESSION, state: 'ringing', audioMuted: true }]));
  });

  it('one call at a time, contract test calls: a test event never joins a real call, nor a real event a test call', async () => {
    await domainSpec().given(airbag()).when(sos({ test: true })).then(opened({ trigger: 'sos', test: true }));
    await domainSpec().given(sos({ test: true })).when(airbag()).then(opened({ trigger: 'airbag', test: false, priority: 1 }), lockout({ active: true, features: AUTO }));
    // a test event joins a live test call, and locks nothing
    await domainSpec().given(airbag({ test: true })).when(sos({ test: true })).then(opened(), lockout({ active: false }), theCase({ test: true, triggers: [expect.anything(), expect.anything()] }));
  });

  it('one call at a time, D1.2: an impact below the threshold during a call is recorded and joins nothing', async () => {
    await domainSpec()
      .given(airbag())
      .when(impact(5))
      .then(feed([]), theCase({ triggers: [expect.objectContaining({ type: 'airbag' })] }));
  });

  it('one call at a time, contract at-least-once: a redelivered joining event is a duplicate and changes nothing', async () => {
    const again = event('sos', { eventId: 'sos-1' });
    await domainSpec()
      .given(airbag(), send(again))
      .when(send(again))
      .then(duplicate(), theCase({ triggers: [expect.objectContaining({ type: 'airbag' }), expect.objectContaining({ eventId: 'sos-1' })] }));
  });

  it('one call at a time, D2.6: a call-back locks again what every joined trigger locked', async () => {
    await domainSpec()
      .given(airbag(), sos(), operator('hangup'), after(10 * MINUTE))
      .when(operator('callback'))
      .then(lockout({ active: true, features: SOS, until: null }), call({ state: 'connected' }));
  });

  it('D2.4 power off during a joined call drops the one call', async () => {
    await domainSpec()
      .given(airbag(), sos())
      .when({ label: 'power off', run: (spec) => send(event('power', { at: spec.clock.now(), data: { mode: 'off' } })).run(spec) })
      .then(call({ state: 'cleared', clearedBy: 'power_off' }), queue([{ triggers: [expect.anything(), expect.anything()] }]));
  });
});

describe('contract "One call at a time": a call-back waits for the car\'s other call', () => {
  it('one call at a time, D2.6: calling a case back while the car is in another (later) call is refused with call_active', async () => {
    await domainSpec()
      .given(airbag(), operator('hangup'), airbag()) // the first call cleared; a new crash opened a second case and call
      .when({
        label: 'op-1 calls the first case back',
        run: (spec) => {
          const first = spec.feed.find((m) => m.type === 'case.opened');
          return operator('callback', { caseId: first?.type === 'case.opened' ? first.case.id : 'none' }).run(spec);
        },
      })
      .then(refused('call_active'));
  });
});
