import { describe, expect, it } from 'vitest';
import { Case, Command, FeedMessage, LockoutMessage, SecurityAlert, VoiceSession, parseTopic, validator } from '../../protocol/index.js';
import { decideEvent } from '../../services/incident/domain/index.js';
import { LOCKOUT_MS, MINUTE, VIN, event } from '../helpers/domain-fixtures.js';
import { SchemaViolation, domainSpec, type DomainSpec } from '../helpers/domain-spec.js';
import { after, airbag, alarm, decide, operator, power, sos, trouble } from '../helpers/domain-steps.js';

/** A day in the life of one car that makes the service send every command and feed message type. */
async function everything(): Promise<DomainSpec> {
  const spec = domainSpec();
  await spec
    .given(
      alarm('intrusion', { position: null }), // delivered
      sos({ position: null, occupants: 1 }), // call.state ringing, lockout, wifi off
      operator('answer', { trigger: 'sos', by: 'op-1' }), // call.state connected
      airbag(), // joins the live SOS call (one call at a time): case.updated with severity, the call operator-only
      trouble(), // hangup_rejected: the call is an auto-notification call now (D2.2)
      operator('hangup', { trigger: 'sos', by: 'op-1' }), // lockout with until
      trouble(), // trouble_button_unavailable with until
      alarm(), // suppressed
      operator('callback', { trigger: 'sos', by: 'op-1' }), // callback
      power('off'), // call dropped
      operator('close', { trigger: 'sos', by: 'op-1', resolution: 'accidental' }), // case.closed
      after(LOCKOUT_MS + MINUTE), // the expiry timer: lockout cleared, wifi back on
    )
    .then();
  return spec;
}

const sentOn = (spec: DomainSpec, kind: 'commands' | 'lockout') => spec.sent.filter((s) => parseTopic(s.topic).kind === kind).map((s) => s.payload);

describe('contract: what the service sends validates against protocol/', () => {
  it('every command, as published with v, commandId and ts, is a valid Command; every cmd type is exercised', async () => {
    const spec = await everything();
    const check = validator(Command);
    const wire = sentOn(spec, 'commands');
    for (const w of wire) expect(check.issues(w), JSON.stringify(w)).toEqual([]);
    const valid = wire.filter((w): w is Command => check.check(w));
    expect(new Set(valid.map((w) => w.cmd))).toEqual(new Set(['call.state', 'lockout', 'wifi', 'notice', 'callback']));
    const notices = valid.flatMap((w) => (w.cmd === 'notice' ? [w.code] : []));
    expect(new Set(notices)).toEqual(new Set(['hangup_rejected', 'trouble_button_unavailable']));
  });

  it('every lockout command is also a valid retained lockout message (v1/vehicles/{vin}/lockout), and so is every one retained', async () => {
    const spec = await everything();
    const check = validator(LockoutMessage);
    const lockouts = spec.commands(VIN).filter((c) => c.cmd === 'lockout');
    expect(lockouts.length).toBeGreaterThanOrEqual(3);
    for (const body of lockouts) {
      const { cmd: _cmd, ...view } = body;
      expect(check.issues({ v: 1, ...view })).toEqual([]);
    }
    const retained = sentOn(spec, 'lockout');
    expect(retained).toHaveLength(lockouts.length);
    for (const m of retained) expect(check.issues(m)).toEqual([]);
    expect(spec.sent.filter((s) => parseTopic(s.topic).kind === 'lockout').every((s) => s.retain)).toBe(true);
  });

  it('every feed message, once the store gives it a seq, is a valid FeedMessage; every feed type is exercised', async () => {
    const spec = await everything();
    const check = validator(FeedMessage);
    for (const m of spec.feed) expect(check.issues(m), JSON.stringify(m)).toEqual([]);
    expect(new Set(spec.feed.map((m) => m.type))).toEqual(new Set(['case.opened', 'case.updated', 'case.closed', 'session.updated', 'lockout.updated']));
  });

  it('stored cases, sessions and alerts are valid records (D2.7: including position null)', async () => {
    const spec = await everything();
    const cases = [...(await spec.store.listCases('open')), ...(await spec.store.listCases('closed'))];
    expect(cases.some((c) => c.position === null)).toBe(true);
    for (const c of cases) {
      expect(validator(Case).issues(c)).toEqual([]);
      expect(validator(VoiceSession).issues(await spec.store.getSession(c.sessionId))).toEqual([]);
    }
    for (const a of await spec.store.listAlerts(VIN)) expect(validator(SecurityAlert).issues(a)).toEqual([]);
  });

  it('the recording outbound refuses a command the protocol would refuse (so the checks above can fail)', async () => {
    const spec = domainSpec();
    const broken = decide('a notice with a code the protocol does not have', VIN, (aggregate, ctx) => ({
      ...decideEvent(aggregate, event('sos'), ctx),
      commands: [{ cmd: 'notice', code: 'not_a_code' } as never],
    }));
    await expect(spec.when(broken).then()).rejects.toThrow(SchemaViolation);
    expect(spec.violations).toHaveLength(1);
  });
});
