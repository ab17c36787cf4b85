import { describe, expect, it } from 'vitest';
import type { Trigger } from '../../protocol/index.js';
import { isRejection } from '../../services/incident/domain/index.js';
import { DomainPipeline, MINUTE, VIN, accepted, commandsOf, event } from '../helpers/domain-pipeline.js';

/** Given: a car whose `trigger` call is open (optionally answered by op-1). */
async function givenCall(trigger: Trigger, answered = false) {
  const p = new DomainPipeline();
  await p.event(event(trigger));
  const [c] = await p.store.listCases('open');
  if (answered) accepted(await p.act(VIN, { kind: 'answer', caseId: c!.id, operatorId: 'op-1' }));
  return { p, caseId: c!.id, sessionId: c!.sessionId };
}

describe('D2.2 auto-notification calls can only be hung up by the operator', () => {
  it.each(['airbag', 'impact'] as const)('D2.2 %s: the car pressing hang-up gets a hangup_rejected notice and the call stays live', async (trigger) => {
    for (const answered of [false, true]) {
      const { p, sessionId } = await givenCall(trigger, answered);
      const stateBefore = (await p.store.getSession(sessionId))!.state;
      // when the occupant presses the trouble support button (the car's hang-up)
      const { decision } = await p.event(event('trouble'));
      // then the car is told no, and the call goes on
      expect(commandsOf(decision.commands, 'notice')).toEqual([{ cmd: 'notice', code: 'hangup_rejected' }]);
      const s = await p.store.getSession(sessionId);
      expect(s).toMatchObject({ state: stateBefore, audioMuted: true });
      expect(s?.clearedBy).toBeUndefined();
      // and no trouble case was opened by the press
      expect((await p.store.listCases('open')).map((c) => c.trigger)).toEqual([trigger]);
    }
  });

  it('D2.2 the operator may hang up an auto-notification call', async () => {
    const { p, caseId, sessionId } = await givenCall('airbag', true);
    await p.advance(5 * MINUTE);
    accepted(await p.act(VIN, { kind: 'hangup', caseId, operatorId: 'op-1' }));
    expect(await p.store.getSession(sessionId)).toMatchObject({ state: 'cleared', clearedBy: 'operator', clearedAt: '2026-11-21T10:05:00.000Z' });
  });
});

describe('D2.3 SOS and trouble calls: the trouble button hangs up from the car', () => {
  it.each(['sos', 'trouble'] as const)('D2.3 %s: a trouble press during the call clears it with clearedBy vehicle, and opens no new case', async (trigger) => {
    const { p, sessionId } = await givenCall(trigger, true);
    const { decision } = await p.event(event('trouble'));
    expect(await p.store.getSession(sessionId)).toMatchObject({ state: 'cleared', clearedBy: 'vehicle', audioMuted: false });
    expect(commandsOf(decision.commands, 'call.state')).toEqual([{ cmd: 'call.state', sessionId, state: 'cleared', audioMuted: false }]);
    expect(commandsOf(decision.commands, 'notice')).toEqual([]);
    expect((await p.store.listCases('open')).map((c) => c.trigger)).toEqual([trigger]);
  });

  it('D2.3 a ringing SOS call (not answered yet) is hung up by the car too', async () => {
    const { p, sessionId } = await givenCall('sos', false);
    await p.event(event('trouble'));
    expect(await p.store.getSession(sessionId)).toMatchObject({ state: 'cleared', clearedBy: 'vehicle' });
  });

  it('D2.3 with an SOS call and an airbag call both live, a trouble press clears only the SOS call and refuses the airbag one (D2.2)', async () => {
    const p = new DomainPipeline();
    await p.event(event('sos'));
    await p.event(event('airbag'));
    const cases = await p.store.listCases('open');
    const sos = cases.find((c) => c.trigger === 'sos')!;
    const airbag = cases.find((c) => c.trigger === 'airbag')!;
    const { decision } = await p.event(event('trouble'));
    expect((await p.store.getSession(sos.sessionId))?.clearedBy).toBe('vehicle');
    expect((await p.store.getSession(airbag.sessionId))?.state).toBe('ringing');
    expect(commandsOf(decision.commands, 'notice').map((n) => n.code)).toEqual(['hangup_rejected']);
  });

  it('D2.3 a call opened by mistake is cleared and then closed by the operator as accidental', async () => {
    const { p, caseId } = await givenCall('sos', true);
    await p.event(event('trouble'));
    accepted(await p.act(VIN, { kind: 'close', caseId, operatorId: 'op-1', resolution: 'accidental' }));
    expect(await p.store.getCase(caseId)).toMatchObject({ status: 'closed', resolution: 'accidental' });
    expect(await p.store.listCases('open')).toEqual([]);
  });
});

describe('D2.4 power mode OFF drops the call', () => {
  it.each(['airbag', 'sos', 'trouble'] as const)('D2.4 %s: power off clears the live call with clearedBy power_off', async (trigger) => {
    const { p, sessionId } = await givenCall(trigger, true);
    const { decision } = await p.event(event('power', { data: { mode: 'off' } }));
    expect(await p.store.getSession(sessionId)).toMatchObject({ state: 'cleared', clearedBy: 'power_off', audioMuted: false });
    expect(commandsOf(decision.commands, 'call.state')).toEqual([{ cmd: 'call.state', sessionId, state: 'cleared', audioMuted: false }]);
    expect((await p.load()).vehicle.powerMode).toBe('off');
  });

  it('D2.4 power modes acc and on do not drop the call', async () => {
    const { p, sessionId } = await givenCall('sos', true);
    await p.event(event('power', { data: { mode: 'acc' } }));
    await p.event(event('power', { data: { mode: 'on' } }));
    expect((await p.store.getSession(sessionId))?.state).toBe('connected');
    expect((await p.load()).vehicle.powerMode).toBe('on');
  });
});

describe('D2.5 display audio is muted until the call is cleared', () => {
  it('D2.5 every call.state command carries audioMuted true before clear-down and false at clear-down', async () => {
    const { p, caseId } = await givenCall('airbag', true);
    const live = await p.store.getSession((await p.store.getCase(caseId))!.sessionId);
    expect(live?.audioMuted).toBe(true);
    accepted(await p.act(VIN, { kind: 'hangup', caseId, operatorId: 'op-1' }));
    const states = commandsOf(p.commandsFor(), 'call.state').map((c) => [c.state, c.audioMuted]);
    expect(states).toEqual([
      ['ringing', true],
      ['connected', true],
      ['cleared', false],
    ]);
  });

  it('D2.5 a call-back mutes the audio again until it is cleared', async () => {
    const { p, caseId, sessionId } = await givenCall('sos', true);
    accepted(await p.act(VIN, { kind: 'hangup', caseId, operatorId: 'op-1' }));
    accepted(await p.act(VIN, { kind: 'callback', caseId, operatorId: 'op-1' }));
    expect((await p.store.getSession(sessionId))?.audioMuted).toBe(true);
    accepted(await p.act(VIN, { kind: 'hangup', caseId, operatorId: 'op-1' }));
    expect((await p.store.getSession(sessionId))?.audioMuted).toBe(false);
    const states = commandsOf(p.commandsFor(), 'call.state').map((c) => `${c.state}:${c.audioMuted}`);
    expect(states).toEqual(['ringing:true', 'connected:true', 'cleared:false', 'connected:true', 'cleared:false']);
  });
});

describe('D2.6 call-back only after clear-down', () => {
  it('D2.6 a call-back while the call is live is refused with call_active and changes nothing', async () => {
    const { p, caseId, sessionId } = await givenCall('airbag', true);
    const versionBefore = (await p.load()).vehicle.version;
    const r = await p.act(VIN, { kind: 'callback', caseId, operatorId: 'op-1' });
    expect(isRejection(r) && r.rejected).toBe('call_active');
    expect((await p.load()).vehicle.version).toBe(versionBefore);
    expect(commandsOf(p.commandsFor(), 'callback')).toEqual([]);
    expect((await p.store.getSession(sessionId))?.callbacks).toEqual([]);
  });

  it('D2.6 after clear-down the operator calls the car back: a callback command, the session connected again, the call-back recorded', async () => {
    const { p, caseId, sessionId } = await givenCall('airbag', true);
    accepted(await p.act(VIN, { kind: 'hangup', caseId, operatorId: 'op-1' }));
    await p.advance(10 * MINUTE);
    const d = accepted(await p.act(VIN, { kind: 'callback', caseId, operatorId: 'op-1' }));
    expect(commandsOf(d.commands, 'callback')).toEqual([{ cmd: 'callback', sessionId }]);
    const s = await p.store.getSession(sessionId);
    expect(s).toMatchObject({ state: 'connected', callbacks: [{ at: '2026-11-21T10:10:00.000Z', operatorId: 'op-1' }] });
    expect(s?.clearedBy).toBeUndefined();
  });

  it('D2.6 a call the car hung up (clearedBy vehicle) can be called back', async () => {
    const { p, caseId, sessionId } = await givenCall('sos', true);
    await p.event(event('trouble'));
    const d = accepted(await p.act(VIN, { kind: 'callback', caseId, operatorId: 'op-1' }));
    expect(commandsOf(d.commands, 'callback')).toEqual([{ cmd: 'callback', sessionId }]);
  });
});
