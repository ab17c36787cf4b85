/**
 * Issue 11, identity and access over HTTP (`inject`, AUTH=on unless said): login and logout, roles on
 * every route, the operator is the token's, expired and logged-out tokens, the service token, release,
 * accounts, vehicle credentials, failed-login limits, and the first admin.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { topics } from '../../protocol/index.js';
import { loadConfig } from '../../services/config.js';
import { IncidentService } from '../../services/incident/service.js';
import { MemoryStore } from '../../services/incident/store/memory-store.js';
import { ADMIN_PASSWORD, authWorld, PASSWORD, T0, type AuthWorld } from '../helpers/auth-world.js';
import { vin } from '../helpers/vins.js';

const V = vin(1101);
const worlds: AuthWorld[] = [];
afterEach(async () => {
  for (const w of worlds.splice(0)) await w.close();
});
async function world(...args: Parameters<typeof authWorld>): Promise<AuthWorld> {
  const w = await authWorld(...args);
  worlds.push(w);
  return w;
}

describe('issue 11: login, logout and tokens (AUTH=on)', () => {
  it('every /v1 route answers 401 without a token, pointing at the login; /healthz and /docs stay open', async () => {
    const w = await world();
    const caseId = await w.sos(V);
    for (const [method, url] of [
      ['GET', '/v1/cases'],
      ['GET', `/v1/cases/${caseId}`],
      ['POST', `/v1/cases/${caseId}/answer`],
      ['POST', `/v1/cases/${caseId}/release`],
      ['GET', `/v1/vehicles/${V}/lockout`],
      ['GET', '/v1/audit'],
      ['GET', '/v1/operators'],
      ['PUT', `/v1/vehicles/${V}/credentials`],
      ['POST', '/v1/auth/logout'],
      ['GET', '/v1/operator/ws'],
      ['GET', '/v1/no-such-route'],
    ] as const) {
      const res = await w.as(null, { method, url, ...(method === 'GET' ? {} : { payload: {} }) });
      expect(res.status, `${method} ${url}`).toBe(401);
      expect(res.body).toMatchObject({ error: 'unauthorized', login: '/v1/auth/login' });
      expect(res.headers['www-authenticate']).toBe('Bearer realm="anshin"');
    }
    expect((await w.as(null, { method: 'GET', url: '/healthz' })).status).toBe(200);
    expect((await w.as(null, { method: 'GET', url: '/docs/json' })).status).toBe(200);
    // Nothing happened to the case.
    expect((await w.store.getCase(caseId))!.operatorId).toBeUndefined();
  });

  it('a login answers {token, expiresAt, operator}; unknown user and wrong password get the same 401 invalid_credentials', async () => {
    const w = await world();
    await w.operator('sato', 'operator');
    const ok = await w.login('sato');
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({
      token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      expiresAt: new Date(T0 + w.config.TOKEN_TTL_MINUTES * 60_000).toISOString(),
      operator: { username: 'sato', displayName: 'sato', role: 'operator' },
    });
    const wrong = await w.login('sato', 'not-the-password');
    const unknown = await w.login('nobody', PASSWORD);
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual({ error: 'invalid_credentials', message: 'unknown username or wrong password' });
    expect(unknown.body).toEqual(wrong.body);
    // The token is stored hashed: the store holds nothing that is the token.
    expect(JSON.stringify(await w.store.getToken(ok.body.token))).toBe('null');
  });

  it('an expired token and a logged-out token are 401; a logout ends only its own token', async () => {
    const w = await world({ TOKEN_TTL_MINUTES: 60 });
    const first = await w.operator('sato');
    const second = (await w.login('sato')).body.token as string;
    expect((await w.as(first, { method: 'GET', url: '/v1/cases' })).status).toBe(200);
    expect((await w.as(first, { method: 'POST', url: '/v1/auth/logout' })).status).toBe(204);
    expect((await w.as(first, { method: 'GET', url: '/v1/cases' })).status).toBe(401);
    expect((await w.as(first, { method: 'POST', url: '/v1/auth/logout' })).status).toBe(401);
    expect((await w.as(second, { method: 'GET', url: '/v1/cases' })).status).toBe(200);
    await w.clock.advance(60 * 60_000 - 1);
    expect((await w.as(second, { method: 'GET', url: '/v1/cases' })).status).toBe(200);
    await w.clock.advance(1);
    const expired = await w.as(second, { method: 'GET', url: '/v1/cases' });
    expect(expired.status).toBe(401);
    expect(expired.body.message).toMatch(/expired or logged out/);
  });
});

describe('issue 11: roles on every route (403 forbidden)', () => {
  it('operator works cases; supervisor also reads the audit; admin also manages accounts and vehicle credentials', async () => {
    const w = await world();
    const op = await w.operator('op', 'operator');
    const sup = await w.operator('sup', 'supervisor');
    const admin = await w.adminToken();
    const caseId = await w.sos(V);
    const routes = [
      { method: 'GET', url: '/v1/cases', least: 'operator' },
      { method: 'GET', url: `/v1/cases/${caseId}`, least: 'operator' },
      { method: 'GET', url: `/v1/vehicles/${V}/lockout`, least: 'operator' },
      { method: 'GET', url: `/v1/vehicles/${V}/commands`, least: 'operator' },
      { method: 'GET', url: '/v1/audit', least: 'supervisor' },
      { method: 'GET', url: '/v1/operators', least: 'admin' },
      { method: 'POST', url: '/v1/operators', payload: { username: 'new-one', password: PASSWORD, role: 'operator' }, least: 'admin' },
      { method: 'DELETE', url: '/v1/operators/nobody-here', least: 'admin' },
      { method: 'PUT', url: `/v1/vehicles/${V}/credentials`, least: 'admin' },
    ] as const;
    const rank = { operator: 0, supervisor: 1, admin: 2 };
    for (const r of routes) {
      for (const [role, token] of [['operator', op], ['supervisor', sup], ['admin', admin]] as const) {
        const res = await w.as(token, { method: r.method, url: r.url, ...('payload' in r ? { payload: r.payload } : {}) });
        if (rank[role] < rank[r.least]) {
          expect(res.status, `${role} ${r.method} ${r.url}`).toBe(403);
          expect(res.body).toMatchObject({ error: 'forbidden', required: r.least });
        } else {
          expect([200, 201, 204, 404], `${role} ${r.method} ${r.url}: ${JSON.stringify(res.body)}`).toContain(res.status);
        }
      }
    }
    // The account an operator was refused to make was not made (only the admin's attempt made it).
    expect((await w.store.listAccounts()).map((a) => a.username)).toEqual(['admin', 'new-one', 'op', 'sup']);
  });

  it('the operator is the one the token names: another id in X-Operator-Id or the body is 403, the same one is fine', async () => {
    const w = await world();
    const sato = await w.operator('sato');
    const caseId = await w.sos(V);
    const answer = (headers: Record<string, string>, payload: object) => w.as(sato, { method: 'POST', url: `/v1/cases/${caseId}/answer`, headers, payload });
    expect((await answer({ 'x-operator-id': 'tanaka' }, {})).status).toBe(403);
    expect((await answer({}, { operatorId: 'tanaka' })).status).toBe(403);
    expect((await answer({ 'x-operator-id': 'sato' }, { operatorId: 'tanaka' })).status).toBe(403);
    expect((await w.store.getCase(caseId))!.operatorId).toBeUndefined();
    const ok = await answer({ 'x-operator-id': 'sato' }, {});
    expect(ok.status).toBe(200);
    expect(ok.body.operatorId).toBe('sato');
    // Without naming anyone: the token's operator.
    const hangup = await w.as(sato, { method: 'POST', url: `/v1/cases/${caseId}/hangup`, payload: {} });
    expect(hangup.status).toBe(200);
    // Also on routes that are not a case's.
    expect((await w.as(sato, { method: 'GET', url: '/v1/cases', headers: { 'x-operator-id': 'tanaka' } })).status).toBe(403);
  });

  it('API_TOKEN is a service token with the admin role; it acts for the operator it names, and the audit says the service did', async () => {
    const w = await world({ API_TOKEN: 'service-token-123456' });
    const svc = 'service-token-123456';
    expect((await w.as(svc, { method: 'POST', url: '/v1/operators', payload: { username: 'sato', password: PASSWORD, role: 'operator' } })).status).toBe(201);
    expect((await w.as(svc, { method: 'GET', url: '/v1/audit' })).status).toBe(200);
    const caseId = await w.sos(V);
    expect((await w.as(svc, { method: 'POST', url: `/v1/cases/${caseId}/answer`, payload: {} })).body.error).toBe('operator_required');
    const res = await w.as(svc, { method: 'POST', url: `/v1/cases/${caseId}/answer`, headers: { 'x-operator-id': 'sato' }, payload: {} });
    expect(res.status).toBe(200);
    expect(res.body.operatorId).toBe('sato');
    const answered = (await w.audit()).filter((e) => e.action === 'case.answer');
    expect(answered).toEqual([expect.objectContaining({ actor: { kind: 'service', id: 'api-token' }, caseId, vin: V, details: { operatorId: 'sato' } })]);
  });
});

describe('issue 11: release', () => {
  it("the holder may release its case; an operator may not release another's (403); a supervisor may; both audited once", async () => {
    const w = await world();
    const sato = await w.operator('sato');
    const tanaka = await w.operator('tanaka');
    const sup = await w.operator('boss', 'supervisor');
    const caseId = await w.sos(V);
    const post = (token: string, action: string) => w.as(token, { method: 'POST', url: `/v1/cases/${caseId}/${action}`, payload: {} });
    expect((await post(sato, 'answer')).status).toBe(200);
    const refused = await post(tanaka, 'release');
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ error: 'forbidden', required: 'supervisor' });
    expect((await post(tanaka, 'answer')).status).toBe(409);
    const released = await post(sup, 'release');
    expect(released.status).toBe(200);
    expect(released.body.operatorId).toBeUndefined();
    // The call stays connected; tanaka takes it over.
    expect((await w.service.caseWithSession(caseId)).session!.state).toBe('connected');
    expect((await post(tanaka, 'answer')).body.operatorId).toBe('tanaka');
    expect((await post(tanaka, 'release')).status).toBe(200);
    // Nobody holds it now: releasing again changes nothing and records nothing.
    expect((await post(tanaka, 'release')).status).toBe(200);
    const releases = (await w.audit()).filter((e) => e.action === 'case.release');
    expect(releases.map((e) => [e.actor.id, e.details])).toEqual([
      ['boss', { operatorId: 'boss', releasedFrom: 'sato' }],
      ['tanaka', { operatorId: 'tanaka', releasedFrom: 'tanaka' }],
    ]);
  });
});

describe('issue 11: accounts and vehicle credentials (admin)', () => {
  it('accounts: create (409 when taken), list by username without secrets, delete (its tokens end; the last admin stays)', async () => {
    const w = await world();
    const admin = await w.adminToken();
    const created = await w.as(admin, { method: 'POST', url: '/v1/operators', payload: { username: 'sato', password: PASSWORD, role: 'supervisor', displayName: 'Sato K.' } });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ username: 'sato', displayName: 'Sato K.', role: 'supervisor', createdAt: new Date(T0).toISOString() });
    expect((await w.as(admin, { method: 'POST', url: '/v1/operators', payload: { username: 'sato', password: PASSWORD, role: 'operator' } })).body).toMatchObject({ error: 'operator_exists' });
    expect((await w.as(admin, { method: 'POST', url: '/v1/operators', payload: { username: 'short', password: 'too-short', role: 'operator' } })).status).toBe(400);
    const list = await w.as(admin, { method: 'GET', url: '/v1/operators' });
    expect(list.body.operators.map((o: { username: string }) => o.username)).toEqual(['admin', 'sato']);
    expect(JSON.stringify(list.body)).not.toMatch(/scrypt|password/i);
    const satoToken = (await w.login('sato')).body.token as string;
    expect((await w.as(admin, { method: 'DELETE', url: '/v1/operators/sato' })).status).toBe(204);
    expect((await w.as(satoToken, { method: 'GET', url: '/v1/cases' })).status).toBe(401);
    expect((await w.as(admin, { method: 'DELETE', url: '/v1/operators/sato' })).body).toMatchObject({ error: 'operator_not_found' });
    expect((await w.as(admin, { method: 'DELETE', url: '/v1/operators/admin' })).body).toMatchObject({ error: 'last_admin' });
  });

  it('vehicle credentials: 201 {vin, username, password} shown once, kept hashed; calling again rotates it and tells the broker', async () => {
    const w = await world();
    const admin = await w.adminToken();
    const revoked: string[] = [];
    w.service.identity.vehicleCredentials.onRevoked((v) => revoked.push(v));
    const first = await w.as(admin, { method: 'PUT', url: `/v1/vehicles/${V}/credentials` });
    expect(first.status).toBe(201);
    expect(first.body).toEqual({ vin: V, username: V, password: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
    const creds = w.service.identity.vehicleCredentials;
    expect(await creds.verify(V, Buffer.from(first.body.password))).toBe(true);
    expect(await creds.verify(V, Buffer.from('wrong'))).toBe(false);
    expect(await creds.verify(vin(1102), Buffer.from(first.body.password))).toBe(false);
    expect(JSON.stringify(await w.store.getVehicleCredential(V))).not.toContain(first.body.password);
    const second = await w.as(admin, { method: 'PUT', url: `/v1/vehicles/${V}/credentials` });
    expect(second.body.password).not.toBe(first.body.password);
    expect(await creds.verify(V, Buffer.from(first.body.password))).toBe(false);
    expect(await creds.verify(V, Buffer.from(second.body.password))).toBe(true);
    expect(revoked).toEqual([V, V]);
    const audit = (await w.audit()).filter((e) => e.action === 'vehicle.credentials');
    expect(audit.map((e) => [e.actor, e.vin, e.details])).toEqual([
      [{ kind: 'operator', id: 'admin' }, V, { rotated: false }],
      [{ kind: 'operator', id: 'admin' }, V, { rotated: true }],
    ]);
  });
});

describe('issue 11: failed logins are rate-limited per username and per address', () => {
  it('after 5 failures for one username its logins are refused (429, even with the right password) until the window ends; others are not', async () => {
    const w = await world();
    await w.operator('sato');
    await w.operator('tanaka');
    for (let i = 0; i < 5; i++) expect((await w.login('sato', 'wrong-password', '10.0.0.1')).status).toBe(401);
    const limited = await w.login('sato', PASSWORD, '10.0.0.2');
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ error: 'rate_limited' });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await w.login('tanaka', PASSWORD, '10.0.0.1')).status).toBe(200);
    await w.clock.advance(15 * 60_000);
    expect((await w.login('sato', PASSWORD, '10.0.0.2')).status).toBe(200);
    // Every refusal is in the audit with its address and reason.
    const failed = (await w.audit()).filter((e) => e.action === 'auth.login_failed');
    expect(failed.map((e) => e.details)).toEqual([
      ...Array.from({ length: 5 }, () => ({ address: '10.0.0.1', reason: 'invalid_credentials' })),
      { address: '10.0.0.2', reason: 'rate_limited' },
    ]);
  });

  it('after 20 failures from one address, logins from it are refused for every username; other addresses are not', async () => {
    const w = await world();
    await w.operator('sato');
    for (let i = 0; i < 20; i++) expect((await w.login(`guess-${i}`, 'wrong-password', '10.9.9.9')).status).toBe(401);
    expect((await w.login('sato', PASSWORD, '10.9.9.9')).status).toBe(429);
    expect((await w.login('sato', PASSWORD, '10.9.9.8')).status).toBe(200);
  });
});

describe('issue 11: the first admin', () => {
  async function start(store: MemoryStore, env: Record<string, string>): Promise<string> {
    let log = '';
    const logger = pino({ level: 'info' }, new Writable({ write: (chunk: Buffer, _e, done) => ((log += chunk.toString()), done()) }));
    const service = new IncidentService({ store, clock: { now: () => T0, setTimer: () => ({ due: 0 }), clearTimer: () => {} }, config: loadConfig(env, { PASSWORD_SCRYPT_COST: 10 }), logger, newId: () => 'x', outbound: { publish: () => {} } });
    await service.start();
    await service.stop();
    return log;
  }

  it('with no account and no ADMIN_PASSWORD, `admin` gets a random password printed once; the next start prints nothing', async () => {
    const store = new MemoryStore();
    const log = await start(store, { AUTH: 'on' });
    const password = /password, shown only now: (\S+)"/.exec(log)?.[1];
    expect(password, log).toMatch(/^[A-Za-z0-9_-]{24}$/);
    const service = new IncidentService({ store, clock: { now: () => T0, setTimer: () => ({ due: 0 }), clearTimer: () => {} }, config: loadConfig({ AUTH: 'on' }, { LOG_LEVEL: 'silent' }), logger: pino({ level: 'silent' }), newId: () => 'y', outbound: { publish: () => {} } });
    expect((await service.identity.login('admin', password!, '127.0.0.1')).operator).toEqual({ username: 'admin', displayName: 'Administrator', role: 'admin' });
    const again = await start(store, { AUTH: 'on' });
    expect(again).not.toMatch(/shown only now/);
    expect((await store.listAudit({ limit: 10, actor: 'startup' }))!.map((e) => [e.action, e.details.username])).toEqual([['operator.create', 'admin']]);
  });

  it('ADMIN_PASSWORD makes the first admin with that password (never logged); with AUTH=off no account is made', async () => {
    const store = new MemoryStore();
    const log = await start(store, { AUTH: 'on', ADMIN_PASSWORD });
    expect(log).not.toContain(ADMIN_PASSWORD);
    expect((await store.getAccount('admin'))!.role).toBe('admin');
    const off = new MemoryStore();
    await start(off, { AUTH: 'off' });
    expect(await off.listAccounts()).toEqual([]);
  });
});

describe('issue 11: AUTH=off', () => {
  it('no login needed; the operator is X-Operator-Id; the audit is still recorded and readable by anyone', async () => {
    const w = await world({ AUTH: 'off' });
    const caseId = await w.sos(V);
    const res = await w.as(null, { method: 'POST', url: `/v1/cases/${caseId}/answer`, headers: { 'x-operator-id': 'op-7' }, payload: {} });
    expect(res.status).toBe(200);
    const audit = await w.as(null, { method: 'GET', url: `/v1/audit?caseId=${caseId}` });
    expect(audit.status).toBe(200);
    expect(audit.body.entries).toEqual([
      { id: expect.any(String), at: new Date(T0).toISOString(), actor: { kind: 'operator', id: 'op-7' }, action: 'case.answer', caseId, vin: V, details: { operatorId: 'op-7' } },
    ]);
    // The operator-actions topic is fed from the same entry.
    const topic = w.published.filter((p) => p.topic === topics.operatorAudit).map((p) => JSON.parse(p.payload) as Record<string, unknown>);
    expect(topic).toEqual([expect.objectContaining({ action: 'answer', caseId, operatorId: 'op-7', at: audit.body.entries[0].at })]);
  });
});

describe('issue 11: OpenAPI security', () => {
  it('/docs/json has a bearer scheme (the Authorize button) and the login needs none', async () => {
    const w = await world();
    const doc = (await w.as(null, { method: 'GET', url: '/docs/json' })).body;
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.security).toEqual([{ bearer: [] }]);
    expect(doc.paths['/v1/auth/login'].post.security).toEqual([]);
    for (const path of ['/v1/audit', '/v1/operators', '/v1/operators/{username}', '/v1/vehicles/{vin}/credentials', '/v1/auth/logout', '/v1/cases/{id}/release']) expect(doc.paths[path], path).toBeDefined();
  });
});
