/**
 * Issue 11, part 5: the audit. Every action the contract lists that exists today is recorded exactly
 * once, in the same commit as its change (refused remote operations, refused Wi-Fi and failed logins
 * too; a refused operator action changes nothing and records nothing); `GET /v1/audit` filters and pages.
 * And a property: whatever operators do, no entry names another actor than the token's operator.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../protocol/index.js';
import { authWorld, PASSWORD, T0, type AuthWorld } from '../helpers/auth-world.js';
import { vin } from '../helpers/vins.js';

const worlds: AuthWorld[] = [];
afterEach(async () => {
  for (const w of worlds.splice(0)) await w.close();
});
async function world(...args: Parameters<typeof authWorld>): Promise<AuthWorld> {
  const w = await authWorld(...args);
  worlds.push(w);
  return w;
}

function countBy(entries: AuditEntry[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of entries) out[e.action] = (out[e.action] ?? 0) + 1;
  return out;
}

describe('issue 11: every audited action appears exactly once', () => {
  it('logins (and failures, with the address), logout, case actions, release, remote operations and Wi-Fi granted and refused, credentials, accounts', async () => {
    const w = await world();
    const admin = await w.adminToken(); // operator.create (first admin at start) + auth.login
    const sato = await w.operator('sato'); // operator.create + auth.login
    const boss = await w.operator('boss', 'supervisor'); // operator.create + auth.login
    expect((await w.login('sato', 'wrong-password', '10.1.2.3')).status).toBe(401); // auth.login_failed
    expect((await w.login('nobody', 'wrong-password', '10.1.2.4')).status).toBe(401); // auth.login_failed
    const locked = vin(1201);
    const free = vin(1202);
    const caseId = await w.sos(locked);
    const post = (token: string, url: string, payload: object = {}) => w.as(token, { method: 'POST', url, payload });
    expect((await post(sato, `/v1/cases/${caseId}/answer`)).status).toBe(200); // case.answer
    expect((await post(sato, `/v1/cases/${caseId}/answer`)).status).toBe(200); // nothing changed: not audited
    expect((await post(sato, `/v1/cases/${caseId}/close`, { resolution: 'other' })).status).toBe(409); // refused: not audited
    expect((await post(sato, `/v1/cases/${caseId}/hangup`)).status).toBe(200); // case.hangup
    expect((await post(sato, `/v1/cases/${caseId}/callback`)).status).toBe(200); // case.callback
    expect((await post(boss, `/v1/cases/${caseId}/release`)).status).toBe(200); // case.release
    expect((await post(sato, `/v1/cases/${caseId}/answer`)).status).toBe(200); // case.answer (takes it back)
    expect((await post(sato, `/v1/cases/${caseId}/hangup`)).status).toBe(200); // case.hangup
    expect((await post(sato, `/v1/cases/${caseId}/close`, { resolution: 'advice_given', note: 'ok' })).status).toBe(200); // case.close
    expect((await post(sato, `/v1/vehicles/${locked}/remote-operations`, { operation: 'door_unlock' })).status).toBe(423); // refused
    expect((await w.as(sato, { method: 'PUT', url: `/v1/vehicles/${locked}/wifi`, payload: { enabled: true } })).status).toBe(423); // refused
    const sent = await post(sato, `/v1/vehicles/${free}/remote-operations`, { operation: 'horn' });
    expect(sent.status).toBe(202); // vehicle.remote_operation sent
    expect((await w.as(sato, { method: 'PUT', url: `/v1/vehicles/${free}/wifi`, payload: { enabled: false } })).status).toBe(202); // vehicle.wifi sent
    expect((await w.as(admin, { method: 'PUT', url: `/v1/vehicles/${free}/credentials` })).status).toBe(201); // vehicle.credentials
    expect((await w.as(admin, { method: 'PUT', url: `/v1/vehicles/${free}/credentials` })).status).toBe(201); // vehicle.credentials (rotated)
    expect((await w.as(admin, { method: 'DELETE', url: '/v1/operators/boss' })).status).toBe(204); // operator.delete
    expect((await w.as(sato, { method: 'POST', url: '/v1/auth/logout' })).status).toBe(204); // auth.logout
    expect((await w.as(sato, { method: 'POST', url: '/v1/auth/logout' })).status).toBe(401); // already gone: not audited

    const entries = await w.audit();
    expect(countBy(entries)).toEqual({
      'operator.create': 3,
      'auth.login': 3,
      'auth.login_failed': 2,
      'case.answer': 2,
      'case.hangup': 2,
      'case.callback': 1,
      'case.release': 1,
      'case.close': 1,
      'vehicle.remote_operation': 2,
      'vehicle.wifi': 2,
      'vehicle.credentials': 2,
      'operator.delete': 1,
      'auth.logout': 1,
    });
    expect(new Set(entries.map((e) => e.id)).size).toBe(entries.length);
    expect(entries.filter((e) => e.action === 'auth.login_failed').map((e) => [e.actor.id, e.details])).toEqual([
      ['sato', { address: '10.1.2.3', reason: 'invalid_credentials' }],
      ['nobody', { address: '10.1.2.4', reason: 'invalid_credentials' }],
    ]);
    const remote = entries.filter((e) => e.action === 'vehicle.remote_operation');
    expect(remote.map((e) => [e.vin, e.details])).toEqual([
      [locked, { operation: 'door_unlock', outcome: 'refused', refusal: { code: 'locked_out', feature: 'remote_operations', until: new Date(T0 + 60 * 60_000).toISOString() } }],
      [free, { operation: 'horn', outcome: 'sent', commandId: sent.body.commandId }],
    ]);
    expect(entries.filter((e) => e.action === 'vehicle.wifi').map((e) => e.details.outcome)).toEqual(['refused', 'sent']);
    expect(entries.find((e) => e.action === 'case.close')).toMatchObject({ caseId, vin: locked, actor: { kind: 'operator', id: 'sato' }, details: { operatorId: 'sato', resolution: 'advice_given', note: 'ok' } });
    // Every case entry names the case and its car.
    for (const e of entries.filter((x) => x.action.startsWith('case.'))) expect([e.caseId, e.vin]).toEqual([caseId, locked]);
  });

  it('the same commit: an action whose commit fails (the store refuses every try) records nothing', async () => {
    const w = await world();
    const sato = await w.operator('sato');
    const caseId = await w.sos(vin(1203));
    const before = (await w.audit()).length;
    const commit = w.store.commit.bind(w.store);
    w.store.commit = async () => ({ status: 'conflict' });
    expect((await w.as(sato, { method: 'POST', url: `/v1/cases/${caseId}/answer`, payload: {} })).body.error).toBe('busy');
    w.store.commit = commit;
    expect(await w.audit()).toHaveLength(before);
  });
});

describe('issue 12 part 4: dispatch actions appear exactly once', () => {
  it('dispatch.create, dispatch.update, case.no_response (with its dispatch.create entries), vehicle.dealer, case.escalated; refusals and repeats not', async () => {
    const w = await world();
    const sato = await w.operator('sato');
    const v = vin(1210);
    const caseId = await w.sos(v);
    await w.clock.advance(15_000); // the P2 target: case.escalated, a system entry
    await w.clock.advance(60_000); // ringing on: not escalated again
    const post = (url: string, payload: object = {}) => w.as(sato, { method: 'POST', url, payload });
    expect((await post(`/v1/cases/${caseId}/answer`)).status).toBe(200); // case.answer
    const d = await post(`/v1/cases/${caseId}/dispatches`, { agency: 'security_guard' }); // dispatch.create
    expect(d.status).toBe(201);
    const patch = (status: string) => w.as(sato, { method: 'PATCH', url: `/v1/cases/${caseId}/dispatches/${d.body.id}`, payload: { status } });
    expect((await patch('completed')).status).toBe(200); // dispatch.update
    expect((await patch('cancelled')).status).toBe(409); // dispatch_finished: not audited
    expect((await post(`/v1/cases/${caseId}/no-response`)).status).toBe(201); // case.no_response + dispatch.create x2
    expect((await post(`/v1/cases/${caseId}/no-response`)).status).toBe(200); // nothing new: not audited
    expect((await w.as(sato, { method: 'PUT', url: `/v1/vehicles/${v}/dealer`, payload: { dealerId: 'sample-sendai' } })).status).toBe(200); // vehicle.dealer
    expect((await w.as(sato, { method: 'PUT', url: `/v1/vehicles/${v}/dealer`, payload: { dealerId: 'sample-sendai' } })).status).toBe(200); // the same: not audited
    const entries = (await w.audit()).filter((e) => e.caseId === caseId || e.vin === v);
    expect(countBy(entries)).toEqual({ 'case.escalated': 1, 'case.answer': 1, 'dispatch.create': 3, 'dispatch.update': 1, 'case.no_response': 1, 'vehicle.dealer': 1 });
    expect(entries.find((e) => e.action === 'case.escalated')?.actor).toEqual({ kind: 'system', id: 'answer-target' });
    expect(entries.find((e) => e.action === 'dispatch.update')?.details).toMatchObject({ from: 'requested', to: 'completed', agency: 'security_guard' });
  });
});

describe('issue 11: GET /v1/audit', () => {
  it('newest first; filters by case, actor and since; limit 1-500 (default 100); pages with before=next', async () => {
    // The SOS calls ring for minutes: answer targets far off, so that no escalation (a system entry) joins these operator entries.
    const w = await world({ AUTH: 'off', ANSWER_TARGET_S: '3600,3600,3600' });
    const cases: string[] = [];
    for (let i = 0; i < 3; i++) cases.push(await w.sos(vin(1300 + i)));
    const act = (op: string, caseId: string, action: string) => w.as(null, { method: 'POST', url: `/v1/cases/${caseId}/${action}`, headers: { 'x-operator-id': op }, payload: {} });
    await act('op-a', cases[0]!, 'answer');
    await w.clock.advance(60_000);
    await act('op-b', cases[1]!, 'answer');
    await w.clock.advance(60_000);
    await act('op-a', cases[0]!, 'hangup');
    await act('op-c', cases[2]!, 'answer');
    const get = (query: string) => w.as(null, { method: 'GET', url: `/v1/audit${query}` });
    const all = await get('');
    expect(all.status).toBe(200);
    expect(all.body.entries.map((e: AuditEntry) => [e.actor.id, e.action])).toEqual([
      ['op-c', 'case.answer'],
      ['op-a', 'case.hangup'],
      ['op-b', 'case.answer'],
      ['op-a', 'case.answer'],
    ]);
    expect(all.body.next).toBeUndefined();
    expect((await get(`?caseId=${cases[0]}`)).body.entries.map((e: AuditEntry) => e.action)).toEqual(['case.hangup', 'case.answer']);
    expect((await get('?actor=op-a')).body.entries).toHaveLength(2);
    expect((await get(`?actor=op-a&caseId=${cases[1]}`)).body.entries).toEqual([]);
    expect((await get(`?since=${new Date(T0 + 60_000).toISOString()}`)).body.entries.map((e: AuditEntry) => e.actor.id)).toEqual(['op-c', 'op-a', 'op-b']);
    const page1 = await get('?limit=3');
    expect(page1.body.entries).toHaveLength(3);
    expect(page1.body.next).toBe(page1.body.entries[2].id);
    const page2 = await get(`?limit=3&before=${page1.body.next}`);
    expect(page2.body.entries.map((e: AuditEntry) => e.actor.id)).toEqual(['op-a']);
    expect(page2.body.next).toBeUndefined();
    for (const bad of ['?limit=0', '?limit=501', '?limit=abc', '?limit=1.5', '?since=yesterday', '?since=2026-02-30T00:00:00.000Z', '?other=1']) {
      expect((await get(bad)).status, bad).toBe(400);
    }
    expect((await get('?limit=500')).status).toBe(200);
    expect((await get('?before=01JDXNOSUCHENTRY000000000')).body).toMatchObject({ error: 'unknown_cursor' });
  });

  it('the default page is 100 entries', async () => {
    const w = await world({ AUTH: 'off' });
    await w.store.appendAudit(Array.from({ length: 120 }, (_, i) => ({ id: `E${String(i).padStart(4, '0')}`, at: new Date(T0).toISOString(), actor: { kind: 'system' as const, id: 'test' }, action: 'test.entry', details: {} })));
    const res = await w.as(null, { method: 'GET', url: '/v1/audit' });
    expect(res.body.entries).toHaveLength(100);
    expect(res.body.entries[0].id).toBe('E0119');
    expect(res.body.next).toBe('E0020');
  });
});

describe('issue 11, property: no audit entry names another actor than the token that asked', () => {
  const OPERATORS = ['op0', 'op1', 'sup0', 'adm0'] as const;
  const ROLE = { op0: 'operator', op1: 'operator', sup0: 'supervisor', adm0: 'admin' } as const;
  const Step = fc.record({
    who: fc.constantFrom(...OPERATORS),
    action: fc.constantFrom('answer', 'hangup', 'callback', 'close', 'release', 'remote', 'wifi', 'credentials', 'relogin'),
    car: fc.integer({ min: 0, max: 2 }),
    /** Name another operator in X-Operator-Id or the body (refused with 403, nothing recorded). */
    spoof: fc.option(fc.record({ as: fc.constantFrom(...OPERATORS), where: fc.constantFrom('header', 'body') }), { nil: undefined }),
  });

  it('random sequences of actions by random operators', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(Step, { minLength: 1, maxLength: 14 }), async (steps) => {
        const w = await authWorld();
        try {
          const tokens: Record<string, string> = {};
          for (const op of OPERATORS) tokens[op] = op === 'adm0' ? await w.operator(op, 'admin') : await w.operator(op, ROLE[op]);
          const vins = [vin(1401), vin(1402), vin(1403)];
          const cases = [];
          for (const v of vins) cases.push(await w.sos(v));
          for (const step of steps) {
            const before = (await w.audit()).length;
            const caseId = cases[step.car]!;
            const spoofed = step.spoof && step.spoof.as !== step.who ? step.spoof : undefined;
            const headers = spoofed?.where === 'header' ? { 'x-operator-id': spoofed.as } : {};
            const payload = spoofed?.where === 'body' ? { operatorId: spoofed.as } : {};
            let res;
            if (step.action === 'relogin') {
              expect((await w.as(tokens[step.who]!, { method: 'POST', url: '/v1/auth/logout', headers, payload })).status).toBe(spoofed ? 403 : 204);
              if (!spoofed) tokens[step.who] = (await w.login(step.who)).body.token as string;
            } else if (step.action === 'remote') {
              res = await w.as(tokens[step.who]!, { method: 'POST', url: `/v1/vehicles/${vins[step.car]}/remote-operations`, headers, payload: { ...payload, operation: 'horn' } });
            } else if (step.action === 'wifi') {
              res = await w.as(tokens[step.who]!, { method: 'PUT', url: `/v1/vehicles/${vins[step.car]}/wifi`, headers, payload: { ...payload, enabled: true } });
            } else if (step.action === 'credentials') {
              res = await w.as(tokens[step.who]!, { method: 'PUT', url: `/v1/vehicles/${vins[step.car]}/credentials`, headers, payload });
            } else {
              res = await w.as(tokens[step.who]!, { method: 'POST', url: `/v1/cases/${caseId}/${step.action}`, headers, payload: step.action === 'close' ? { ...payload, resolution: 'other' } : payload });
            }
            if (res && spoofed) expect(res.status).toBe(403);
            const added = (await w.audit()).slice(before);
            if (spoofed) expect(added).toEqual([]);
            for (const e of added) {
              // A relogin adds the logout and the login, both the operator's own.
              expect(e.actor).toEqual({ kind: 'operator', id: step.who });
              if (e.action.startsWith('case.')) expect(e.details.operatorId).toBe(step.who);
            }
          }
        } finally {
          await w.close();
        }
      }),
      { numRuns: 25 },
    );
  }, 120_000);
});

it('the test operator password is long enough for the schema', () => {
  expect(PASSWORD.length).toBeGreaterThanOrEqual(12);
});
