import { describe, expect, it } from 'vitest';
import { Case, Command, FeedMessage, LockoutMessage, SecurityAlert, VoiceSession, isoTime, validator } from '../../protocol/index.js';
import { decideEvent } from '../../services/incident/domain/index.js';
import { DomainPipeline, LOCKOUT_MS, MINUTE, VIN, accepted, event, SchemaViolation } from '../helpers/domain-pipeline.js';

/** A day in the life of one car that makes the domain emit every command and feed message type. */
async function everything(): Promise<DomainPipeline> {
  const p = new DomainPipeline();
  await p.event(event('security-alarm', { position: null })); // delivered
  await p.event(event('sos', { position: null, occupants: 1 })); // call.state ringing, lockout, wifi off
  const sos = (await p.load()).cases[0]!;
  accepted(await p.act(VIN, { kind: 'answer', caseId: sos.id, operatorId: 'op-1' })); // call.state connected
  await p.event(event('airbag')); // second case, lockout unchanged (features already held)
  await p.event(event('trouble')); // hangs up SOS (D2.3) + hangup_rejected for the airbag call (D2.2)
  const airbag = (await p.load()).cases.find((c) => c.trigger === 'airbag')!;
  accepted(await p.act(VIN, { kind: 'hangup', caseId: airbag.id, operatorId: 'op-2' })); // lockout with until
  await p.event(event('trouble')); // trouble_button_unavailable with until
  await p.event(event('security-alarm')); // suppressed
  accepted(await p.act(VIN, { kind: 'callback', caseId: sos.id, operatorId: 'op-1' })); // callback
  await p.event(event('power', { data: { mode: 'off' } })); // call dropped
  accepted(await p.act(VIN, { kind: 'close', caseId: sos.id, operatorId: 'op-1', resolution: 'accidental' })); // case.closed
  await p.advance(LOCKOUT_MS + MINUTE);
  await p.expire(); // lockout cleared, wifi back on
  return p;
}

describe('contract: what the domain emits validates against protocol/', () => {
  it('every command body, stamped with v, commandId and ts, is a valid Command; every cmd type is exercised', async () => {
    const p = await everything();
    const check = validator(Command);
    const wire = p.commandsFor().map((body, i) => ({ v: 1, commandId: `cmd-${i}`, ts: isoTime(p.clock.now()), ...body }));
    for (const w of wire) expect(check.issues(w), JSON.stringify(w)).toEqual([]);
    expect(new Set(wire.map((w) => w.cmd))).toEqual(new Set(['call.state', 'lockout', 'wifi', 'notice', 'callback']));
    const notices = wire.flatMap((w) => (w.cmd === 'notice' ? [w.code] : []));
    expect(new Set(notices)).toEqual(new Set(['hangup_rejected', 'trouble_button_unavailable']));
  });

  it('every lockout command is also a valid retained lockout message (v1/vehicles/{vin}/lockout)', async () => {
    const p = await everything();
    const check = validator(LockoutMessage);
    const lockouts = p.commandsFor().filter((c) => c.cmd === 'lockout');
    expect(lockouts.length).toBeGreaterThanOrEqual(3);
    for (const body of lockouts) {
      const { cmd: _cmd, ...view } = body;
      expect(check.issues({ v: 1, ...view })).toEqual([]);
    }
  });

  it('every feed message, once the store gives it a seq, is a valid FeedMessage; every feed type is exercised', async () => {
    const p = await everything();
    const check = validator(FeedMessage);
    for (const m of p.feed) expect(check.issues(m), JSON.stringify(m)).toEqual([]);
    expect(new Set(p.feed.map((m) => m.type))).toEqual(new Set(['case.opened', 'case.updated', 'case.closed', 'session.updated', 'lockout.updated']));
  });

  it('stored cases, sessions and alerts are valid records (D2.7: including position null)', async () => {
    const p = await everything();
    const cases = [...(await p.store.listCases('open')), ...(await p.store.listCases('closed'))];
    expect(cases.some((c) => c.position === null)).toBe(true);
    for (const c of cases) {
      expect(validator(Case).issues(c)).toEqual([]);
      expect(validator(VoiceSession).issues(await p.store.getSession(c.sessionId))).toEqual([]);
    }
    for (const a of await p.store.listAlerts(VIN)) expect(validator(SecurityAlert).issues(a)).toEqual([]);
  });

  it('the harness refuses a command the protocol would refuse (so the checks above can fail)', async () => {
    const p = new DomainPipeline();
    const aggregate = await p.load();
    const d = decideEvent(aggregate, event('sos'), p.ctx());
    const broken = { ...d, commands: [{ cmd: 'notice', code: 'not_a_code' } as never] };
    await expect(p.commit(aggregate, broken)).rejects.toThrow(SchemaViolation);
  });
});
