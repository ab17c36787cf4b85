import { describe, expect, it } from 'vitest';
import type { Trigger } from '../../protocol/index.js';
import { MINUTE } from '../helpers/domain-fixtures.js';
import { domainSpec, type Step } from '../helpers/domain-spec.js';
import { after, airbag, impact, operator, power, sos, trouble } from '../helpers/domain-steps.js';
import { SESSION, call, commands, opened, queue, refused, theCase, vehicle } from '../helpers/domain-then.js';

const TRIGGERS: Record<Trigger, () => Step> = { airbag: () => airbag(), impact: () => impact(20), sos: () => sos(), trouble: () => trouble() };

/** Given: a car whose `trigger` call is open, answered by op-1 or still ringing. */
function givenCall(trigger: Trigger, answered = false) {
  const spec = domainSpec();
  return { spec, given: [TRIGGERS[trigger](), ...(answered ? [operator('answer')] : [])] };
}

describe('D2.2 auto-notification calls can only be hung up by the operator', () => {
  it.each(['airbag', 'impact'] as const)('D2.2 %s: the car pressing hang-up gets a hangup_rejected notice and the call stays live', async (trigger) => {
    for (const answered of [false, true]) {
      const { spec, given } = givenCall(trigger, answered);
      // when the occupant presses the trouble support button (the car's hang-up)
      await spec
        .given(...given)
        .when(trouble())
        // then the car is told no, and the call goes on; the press opened no trouble case
        .then(
          commands('notice', [{ code: 'hangup_rejected' }]),
          call({ state: answered ? 'connected' : 'ringing', audioMuted: true, clearedBy: undefined }),
          opened(),
          queue([trigger]),
        );
    }
  });

  it('D2.2 the operator may hang up an auto-notification call', async () => {
    const { spec, given } = givenCall('airbag', true);
    await spec
      .given(...given, after(5 * MINUTE))
      .when(operator('hangup'))
      .then(call({ state: 'cleared', clearedBy: 'operator', clearedAt: '2026-11-21T10:05:00.000Z' }));
  });
});

describe('D2.3 SOS and trouble calls: the trouble button hangs up from the car', () => {
  it.each(['sos', 'trouble'] as const)('D2.3 %s: a trouble press during the call clears it with clearedBy vehicle, and opens no new case', async (trigger) => {
    const { spec, given } = givenCall(trigger, true);
    await spec
      .given(...given)
      .when(trouble())
      .then(
        call({ state: 'cleared', clearedBy: 'vehicle', audioMuted: false }),
        commands('call.state', [{ sessionId: SESSION, state: 'cleared', audioMuted: false }]),
        commands('notice', []),
        opened(),
        queue([trigger]),
      );
  });

  it('D2.3 a ringing SOS call (not answered yet) is hung up by the car too', async () => {
    const { spec, given } = givenCall('sos', false);
    await spec.given(...given).when(trouble()).then(call({ state: 'cleared', clearedBy: 'vehicle' }));
  });

  it('D2.3 D2.2 one call at a time: an SOS call an airbag joined is an auto-notification call, so a trouble press is refused', async () => {
    await domainSpec()
      .given(sos(), airbag())
      .when(trouble())
      .then(
        call({ state: 'ringing', hangupPolicy: 'operator_only', clearedBy: undefined }, { trigger: 'sos' }),
        commands('notice', [{ code: 'hangup_rejected' }]),
        opened(),
        queue([{ trigger: 'sos', priority: 1 }]),
      );
  });

  it('D2.3 a call opened by mistake is cleared and then closed by the operator as accidental', async () => {
    const { spec, given } = givenCall('sos', true);
    await spec
      .given(...given, trouble())
      .when(operator('close', { resolution: 'accidental' }))
      .then(theCase({ status: 'closed', resolution: 'accidental' }), queue([]));
  });
});

describe('D2.4 power mode OFF drops the call', () => {
  it.each(['airbag', 'sos', 'trouble'] as const)('D2.4 %s: power off clears the live call with clearedBy power_off', async (trigger) => {
    const { spec, given } = givenCall(trigger, true);
    await spec
      .given(...given)
      .when(power('off'))
      .then(
        call({ state: 'cleared', clearedBy: 'power_off', audioMuted: false }),
        commands('call.state', [{ sessionId: SESSION, state: 'cleared', audioMuted: false }]),
        vehicle({ powerMode: 'off' }),
      );
  });

  it('D2.4 power modes acc and on do not drop the call', async () => {
    const { spec, given } = givenCall('sos', true);
    await spec
      .given(...given)
      .when(power('acc'), power('on'))
      .then(call({ state: 'connected' }), vehicle({ powerMode: 'on' }));
  });
});

describe('D2.5 display audio is muted until the call is cleared', () => {
  it('D2.5 every call.state command carries audioMuted true before clear-down and false at clear-down', async () => {
    const { spec, given } = givenCall('airbag', true);
    await spec.given(...given).then(call({ audioMuted: true }));
    await spec.when(operator('hangup')).then(() => {
      const states = spec.commands().flatMap((c) => (c.cmd === 'call.state' ? [[c.state, c.audioMuted]] : []));
      expect(states).toEqual([
        ['ringing', true],
        ['connected', true],
        ['cleared', false],
      ]);
    });
  });

  it('D2.5 a call-back mutes the audio again until it is cleared', async () => {
    const { spec, given } = givenCall('sos', true);
    await spec.given(...given, operator('hangup')).when(operator('callback')).then(call({ audioMuted: true }));
    await spec.when(operator('hangup')).then(call({ audioMuted: false }), () => {
      const states = spec.commands().flatMap((c) => (c.cmd === 'call.state' ? [`${c.state}:${c.audioMuted}`] : []));
      expect(states).toEqual(['ringing:true', 'connected:true', 'cleared:false', 'connected:true', 'cleared:false']);
    });
  });
});

describe('D2.6 call-back only after clear-down', () => {
  it('D2.6 a call-back while the call is live is refused with call_active and changes nothing', async () => {
    const { spec, given } = givenCall('airbag', true);
    await spec
      .given(...given)
      .when(operator('callback'))
      .then(refused('call_active'), call({ callbacks: [] }), () => expect(spec.commands().filter((c) => c.cmd === 'callback')).toEqual([]));
  });

  it('D2.6 after clear-down the operator calls the car back: a callback command, the session connected again, the call-back recorded', async () => {
    const { spec, given } = givenCall('airbag', true);
    await spec
      .given(...given, operator('hangup'), after(10 * MINUTE))
      .when(operator('callback'))
      .then(
        commands('callback', [{ sessionId: SESSION }]),
        call({ state: 'connected', callbacks: [{ at: '2026-11-21T10:10:00.000Z', operatorId: 'op-1' }], clearedBy: undefined }),
      );
  });

  it('D2.6 a call the car hung up (clearedBy vehicle) can be called back', async () => {
    const { spec, given } = givenCall('sos', true);
    await spec
      .given(...given, trouble())
      .when(operator('callback'))
      .then(commands('callback', [{ sessionId: SESSION }]));
  });
});
