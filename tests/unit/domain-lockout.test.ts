import { describe, expect, it } from 'vitest';
import { isoTime, type LockoutFeature, type Trigger } from '../../protocol/index.js';
import { LOCKOUT_MS, MINUTE, SECOND, T0, VIN, VIN_B } from '../helpers/domain-fixtures.js';
import { domainSpec, type SpecOptions, type Step } from '../helpers/domain-spec.js';
import { after, airbag, alarm, at, expire, impact, operator, owner, restart, sos, trouble } from '../helpers/domain-steps.js';
import {
  alarm as alarmed,
  commands,
  feed,
  lockout,
  opened,
  queue,
  refused,
  theCase,
  unchanged,
  vehicle,
} from '../helpers/domain-then.js';

const AUTO_FEATURES: LockoutFeature[] = ['remote_operations', 'trouble_button', 'security_alarm'];
const SOS_FEATURES: LockoutFeature[] = [...AUTO_FEATURES, 'wifi', 'app_center'];
const UNLOCKED = { vin: VIN, active: false, features: [], until: null };
const TRIGGERS: Record<Trigger, () => Step> = { airbag: () => airbag(), impact: () => impact(20), sos: () => sos(), trouble: () => trouble() };

/** Given: a `trigger` call answered by op-1 and hung up `talkMs` later, at `clearedAt`. */
function givenClearedCall(trigger: Trigger, talkMs = 5 * MINUTE, options: SpecOptions = {}) {
  const spec = domainSpec(options);
  const given = [TRIGGERS[trigger](), operator('answer'), after(talkMs), operator('hangup')];
  return { spec, given, clearedAt: T0 + talkMs };
}

describe('D3.1 / D3.2 / D3.3 what each trigger locks', () => {
  it.each(['airbag', 'impact'] as const)('D3.1 %s locks remote operations, the trouble button and security alarms', async (trigger) => {
    const spec = domainSpec();
    await spec
      .when(TRIGGERS[trigger]())
      .then(
        lockout({ vin: VIN, active: true, features: AUTO_FEATURES, until: null }),
        // the car gets the lockout mirrored, and Wi-Fi is left alone
        commands('lockout', [{ vin: VIN, active: true, features: AUTO_FEATURES, until: null }]),
        commands('wifi', []),
      );
    // the owner's remote operation waits it out; Wi-Fi is not locked
    await spec.when(owner({ remote: 'door_lock' })).then(refused('locked_out', { feature: 'remote_operations', until: null }));
    await spec.when(owner({ wifi: false })).then(commands([{ cmd: 'wifi', enabled: false }]));
  });

  it('D3.1 the open case carries the lockout it caused', async () => {
    await domainSpec()
      .when(airbag())
      .then(theCase({ lockout: { vin: VIN, active: true, features: AUTO_FEATURES, until: null } }));
  });

  it('D3.2 SOS also locks Wi-Fi and app-centre apps and turns the car Wi-Fi off', async () => {
    await domainSpec()
      .when(sos())
      .then(lockout({ features: SOS_FEATURES }), commands('wifi', [{ enabled: false }]));
  });

  it('D3.2 when the SOS lockout expires the car Wi-Fi is turned back on', async () => {
    const { spec, given, clearedAt } = givenClearedCall('sos');
    await spec
      .given(...given)
      .when(at(clearedAt + LOCKOUT_MS))
      .then(commands('wifi', [{ enabled: true }]), commands('lockout', [UNLOCKED]));
  });

  it('D3.2 at expiry Wi-Fi goes back to the owner setting: an owner who had it off keeps it off', async () => {
    await domainSpec()
      .given(owner({ wifi: false }), sos(), operator('hangup'))
      .when(after(LOCKOUT_MS))
      .then(commands('wifi', [{ enabled: false }]), lockout({ active: false }));
  });

  it('D3.3 the trouble support button alone locks nothing', async () => {
    const spec = domainSpec();
    await spec.when(trouble()).then(lockout(UNLOCKED), commands(['call.state']));
    await spec.when(alarm()).then(alarmed('delivered'));
  });
});

describe('D3.5 the lockout holds until 60 minutes after clear-down', () => {
  it('D3.5 while the call lives the lockout is held open with until null, however long the call lasts', async () => {
    await domainSpec()
      .given(airbag())
      .when(after(3 * LOCKOUT_MS), expire())
      .then(lockout({ active: true, until: null }));
  });

  it('D3.5 at clear-down until becomes clearedAt + 60 minutes, on the car, the API and the open case', async () => {
    const until = isoTime(T0 + 7 * MINUTE + LOCKOUT_MS);
    await domainSpec()
      .given(airbag(), operator('answer'), after(7 * MINUTE))
      .when(operator('hangup'))
      .then(
        lockout({ vin: VIN, active: true, features: AUTO_FEATURES, until }),
        commands('lockout', [{ vin: VIN, active: true, features: AUTO_FEATURES, until }]),
        theCase({ lockout: { until } }),
        (o) => expect(o.feed.filter((m) => m.type === 'lockout.updated').at(-1)).toMatchObject({ lockout: { until } }),
      );
  });

  it('D3.5 lockout holds until 60 minutes after clear-down, not before: locked at 59:59.999, expired at 60:00', async () => {
    const { spec, given, clearedAt } = givenClearedCall('airbag');
    await spec
      .given(...given)
      .when(at(clearedAt + LOCKOUT_MS - 1), expire())
      .then(unchanged(), lockout({ active: true }));
    await spec.when(alarm()).then(alarmed('suppressed'));

    // its timer fires at 60:00 exactly
    await spec
      .when(at(clearedAt + LOCKOUT_MS))
      .then(commands([{ cmd: 'lockout', ...UNLOCKED }]), lockout({ active: false }), vehicle({ lockout: { features: [], holdingSessionIds: [], until: null } }));
  });

  it('D3.5 LOCKOUT_MINUTES is configurable: with 10 minutes the lockout ends 10 minutes after clear-down', async () => {
    await domainSpec({ env: { LOCKOUT_MINUTES: '10' } })
      .given(sos())
      .when(operator('hangup'))
      .then(lockout({ until: T0 + 10 * MINUTE }));
  });

  it('D3.5 a new trigger during the lockout holds it open again and extends it to 60 minutes after its own clear-down', async () => {
    const { spec, given, clearedAt } = givenClearedCall('airbag');
    // held again by the new call, with SOS features added
    await spec
      .given(...given, after(30 * MINUTE))
      .when(sos())
      .then(lockout({ active: true, until: null, features: SOS_FEATURES }));
    const secondClear = clearedAt + 45 * MINUTE;
    await spec
      .given(after(15 * MINUTE))
      .when(operator('hangup', { trigger: 'sos', by: 'op-2' }))
      .then(lockout({ until: secondClear + LOCKOUT_MS }), (o) => expect(o.spec.clock.now()).toBe(secondClear));
    // still locked where the first lockout alone would have ended
    await spec.when(at(clearedAt + LOCKOUT_MS + 1), expire()).then(unchanged(), lockout({ active: true }));
  });

  it('D3.5 a lockout only grows: an airbag during an SOS lockout keeps Wi-Fi and app-centre locked, and Wi-Fi stays off', async () => {
    const { spec, given } = givenClearedCall('sos');
    await spec
      .given(...given, after(20 * MINUTE))
      .when(airbag())
      .then(lockout({ active: true, until: null, features: SOS_FEATURES }), commands('wifi', []));
  });

  it('D3.5 the lockout never shortens: a trigger cleared under a shorter LOCKOUT_MINUTES keeps the earlier, later end', async () => {
    // given a 60-minute lockout ending at clearedAt + 60 min
    const { spec, given, clearedAt } = givenClearedCall('airbag');
    const firstUntil = clearedAt + LOCKOUT_MS;
    // when the service restarts with LOCKOUT_MINUTES=5 and a new SOS call is opened and cleared
    await spec
      .given(...given, restart({ LOCKOUT_MINUTES: '5' }), after(MINUTE), sos())
      .when(operator('hangup', { trigger: 'sos', by: 'op-2' }))
      // then the lockout still ends at the first end, not 5 minutes after the second clear-down
      .then(lockout({ until: firstUntil }));
    await spec.when(at(firstUntil - 1), expire()).then(unchanged(), lockout({ active: true }));
  });

  it('D3.5 a lockout whose end passed while nothing processed it is not enforced, and decideExpiry clears it', async () => {
    // no timer fires (a late or lost one): only the expire() steps end the lockout
    const { spec, given, clearedAt } = givenClearedCall('sos', 5 * MINUTE, { timers: false });
    // the API already lets things through even though no timer ran
    await spec
      .given(...given)
      .when(at(clearedAt + 2 * LOCKOUT_MS))
      .then(lockout({ active: false }));
    await spec.when(alarm()).then(alarmed('delivered'));
    // and the late expiry tells the car, the feed and the open case
    await spec
      .when(expire())
      .then(
        commands('lockout', [UNLOCKED]),
        commands('wifi', [{ enabled: true }]),
        feed(['case.updated', 'lockout.updated']),
        theCase({ lockout: UNLOCKED }),
      );
    await spec.when(expire()).then(unchanged());
  });

  it('D3.5 a new trigger after an unprocessed expiry starts a fresh lockout with only its own features, and Wi-Fi is given back', async () => {
    const { spec, given, clearedAt } = givenClearedCall('sos', 5 * MINUTE, { timers: false });
    await spec
      .given(...given, at(clearedAt + LOCKOUT_MS + MINUTE))
      .when(airbag())
      .then(lockout({ vin: VIN, active: true, features: AUTO_FEATURES, until: null }), commands('wifi', [{ enabled: true }]));
  });

  it('D3.5 expiry never clears a lockout held by a live call, even one with a stale end time', async () => {
    // a call-back holds the lockout again and keeps the end its clear-down set (D2.6)
    await domainSpec()
      .given(airbag(), operator('hangup'), after(10 * MINUTE), operator('callback'))
      .when(after(5 * LOCKOUT_MS), expire())
      .then(unchanged(), lockout({ active: true, until: null }), async (o) => {
        const stored = (await o.spec.store.loadVehicle(VIN)).vehicle.lockout;
        expect(stored.holdingSessionIds).toHaveLength(1);
        expect(stored.until).toBeLessThan(o.spec.clock.now());
      });
  });
});

describe('contract: the trouble button and security alarms during a lockout', () => {
  it('contract: a trouble press during a lockout gets trouble_button_unavailable with the lockout end, and opens no case', async () => {
    const { spec, given, clearedAt } = givenClearedCall('airbag');
    await spec
      .given(...given)
      .when(trouble())
      .then(commands('notice', [{ code: 'trouble_button_unavailable', until: isoTime(clearedAt + LOCKOUT_MS) }]), opened(), queue(['airbag']));
  });

  it('D3.1 the trouble button works again once the lockout is over (a trouble case opens)', async () => {
    const { spec, given, clearedAt } = givenClearedCall('airbag');
    await spec
      .given(...given, at(clearedAt + LOCKOUT_MS))
      .when(trouble())
      .then(opened({ trigger: 'trouble' }));
  });

  it('contract: a security alarm is delivered to the partner with no lockout and suppressed during one', async () => {
    const spec = domainSpec();
    await spec.when(alarm('glass_break', { eventId: 'al-1' })).then(alarmed('delivered'));
    await spec.given(airbag()).when(alarm('intrusion', { eventId: 'al-2' })).then(alarmed('suppressed'));
    expect((await spec.store.listAlerts(VIN)).map((a) => [a.eventId, a.kind, a.status])).toEqual([
      ['al-1', 'glass_break', 'delivered'],
      ['al-2', 'intrusion', 'suppressed'],
    ]);
  });

  it('D3.1 a lockout on one car does not touch another car', async () => {
    const spec = domainSpec();
    await spec.given(airbag({ vin: VIN }), after(SECOND)).when(alarm('intrusion', { vin: VIN_B })).then(alarmed('delivered', VIN_B));
    await spec.when(trouble({ vin: VIN_B })).then(opened({ vin: VIN_B, trigger: 'trouble' }), lockout({ active: false }, VIN_B));
  });
});
