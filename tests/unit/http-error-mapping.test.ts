/**
 * Foundations 3, "the service is the one front door": routes call the service, the service throws
 * domain errors, and one error handler (services/incident/plugins/errors.ts) maps them to HTTP. Through
 * `buildApp` + `inject` (STYLE 16: no ports), over the real IncidentService on a VirtualClock, with a
 * store double that can fail the way Redis does.
 */
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { CommandRecord, LockedOutBody, topics, validator } from '../../protocol/index.js';
import { VirtualClock } from '../../lib/clock/index.js';
import { loadConfig } from '../../services/config.js';
import { buildApp } from '../../services/incident/app.js';
import { DomainError } from '../../services/incident/domain-errors.js';
import { IncidentService } from '../../services/incident/service.js';
import { MemoryStore } from '../../services/incident/store/memory-store.js';
import { StoreUnavailable, type Store } from '../../services/incident/store/port.js';
import { validEvent } from '../helpers/raw-mqtt.js';
import { vin } from '../helpers/vins.js';

const T0 = Date.parse('2026-11-21T10:00:00.000Z');
const V = vin(41);
const OP = { 'x-operator-id': 'op-1' };
/** What a 5xx body must never show: addresses, credentials, stack lines, source paths. */
const INTERNALS = /10\.9\.8\.7|hunter2|ECONNREFUSED|SELECT|\n\s+at |\.ts:\d+|node_modules/;

/** How the store double misbehaves right now; flipped by the tests after a healthy start. */
interface Faults {
  /** Every call except ping, onFeed and close rejects with this. */
  calls?: () => Error;
  /** ping rejects (the store is unreachable). */
  pingDown?: boolean;
  /** Every commit answers conflict (another writer always wins). */
  conflicts?: boolean;
}

/** A MemoryStore behind a Proxy that fails on demand, as a Redis outage or a bug would. */
function storeDouble(inner: MemoryStore, faults: Faults): Store {
  return new Proxy(inner, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function' || prop === 'onFeed' || prop === 'close' || prop === 'constructor') return value;
      return (...args: unknown[]) => {
        if (prop === 'ping') return faults.pingDown ? Promise.reject(new Error('connect ECONNREFUSED 10.9.8.7:6379')) : Promise.resolve();
        if (faults.calls) return Promise.reject(faults.calls());
        if (prop === 'commit' && faults.conflicts) return Promise.resolve({ status: 'conflict' });
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

interface World {
  app: FastifyInstance;
  service: IncidentService;
  clock: VirtualClock;
  faults: Faults;
}

const open: World[] = [];
afterEach(async () => {
  for (const w of open.splice(0)) {
    await w.app.close();
    await w.service.stop();
  }
});

async function world(): Promise<World> {
  const clock = new VirtualClock(T0);
  const faults: Faults = {};
  const config = loadConfig({}, { LOG_LEVEL: 'silent' });
  const logger = pino({ level: 'silent' });
  let n = 0;
  const service = new IncidentService({
    store: storeDouble(new MemoryStore({ clock }), faults),
    clock,
    config,
    logger,
    newId: () => `ID${String(++n).padStart(8, '0')}`,
    outbound: { publish: (_topic, _payload, _options, done) => done?.() },
  });
  await service.start();
  const app = await buildApp({ service, config, logger, readiness: [] });
  const w = { app, service, clock, faults };
  open.push(w);
  return w;
}

async function sos(w: World): Promise<{ caseId: string }> {
  const outcome = await w.service.ingest(topics.event(V, 'sos'), Buffer.from(JSON.stringify(validEvent(V, 'sos'))));
  if (outcome.status !== 'accepted' || !outcome.processed.committed) throw new Error(`the SOS was not committed: ${JSON.stringify(outcome)}`);
  const opened = outcome.processed.committed.feed.find((m) => m.type === 'case.opened');
  if (opened?.type !== 'case.opened') throw new Error('no case opened');
  return { caseId: opened.case.id };
}

/** Every /v1 read and write of the contract, for a car and a case id. */
function contractRoutes(caseId: string): Array<{ method: 'GET' | 'POST' | 'PUT'; url: string; payload?: object }> {
  return [
    { method: 'GET', url: '/v1/cases' },
    { method: 'GET', url: '/v1/cases?status=closed' },
    { method: 'GET', url: `/v1/cases/${caseId}` },
    { method: 'POST', url: `/v1/cases/${caseId}/answer`, payload: {} },
    { method: 'POST', url: `/v1/cases/${caseId}/hangup`, payload: {} },
    { method: 'POST', url: `/v1/cases/${caseId}/callback`, payload: {} },
    { method: 'POST', url: `/v1/cases/${caseId}/close`, payload: { resolution: 'other' } },
    { method: 'GET', url: '/v1/sessions/01JDXNOSUCHSESSION00000000' },
    { method: 'GET', url: `/v1/vehicles/${V}/lockout` },
    { method: 'POST', url: `/v1/vehicles/${V}/remote-operations`, payload: { operation: 'horn' } },
    { method: 'PUT', url: `/v1/vehicles/${V}/wifi`, payload: { enabled: true } },
    { method: 'GET', url: `/v1/vehicles/${V}/security-alerts` },
    { method: 'GET', url: `/v1/vehicles/${V}/impacts` },
    { method: 'GET', url: `/v1/vehicles/${V}/commands` },
  ];
}

describe('domain errors answer with their HTTP status, body and headers (one error handler)', () => {
  it('an unknown case or session: 404 case_not_found / session_not_found; the service throws a DomainError, not an HTTP error', async () => {
    const w = await world();
    for (const [method, url, code] of [
      ['GET', '/v1/cases/01JDXNOSUCHCASE00000000000', 'case_not_found'],
      ['POST', '/v1/cases/01JDXNOSUCHCASE00000000000/answer', 'case_not_found'],
      ['GET', '/v1/sessions/01JDXNOSUCHSESSION00000000', 'session_not_found'],
    ] as const) {
      const res = await w.app.inject({ method, url, headers: OP, ...(method === 'POST' ? { payload: {} } : {}) });
      expect(res.statusCode, url).toBe(404);
      expect(res.json()).toEqual({ error: code, message: expect.any(String) });
    }
    const thrown = await w.service.operatorAction({ kind: 'answer', caseId: 'nope', operatorId: 'op-1' }).catch((err: unknown) => err);
    expect(thrown).toBeInstanceOf(DomainError);
    expect(thrown).toMatchObject({ code: 'case_not_found', details: { caseId: 'nope' } });
  });

  it('D2: a second operator gets 409 case_taken naming who has the case; a closed-call close is 409 call_active', async () => {
    const w = await world();
    const { caseId } = await sos(w);
    expect((await w.app.inject({ method: 'POST', url: `/v1/cases/${caseId}/answer`, headers: OP, payload: {} })).statusCode).toBe(200);
    const taken = await w.app.inject({ method: 'POST', url: `/v1/cases/${caseId}/answer`, headers: { 'x-operator-id': 'op-2' }, payload: {} });
    expect(taken.statusCode).toBe(409);
    expect(taken.json()).toEqual({ error: 'case_taken', message: 'operator op-1 has this case', operatorId: 'op-1' });
    const close = await w.app.inject({ method: 'POST', url: `/v1/cases/${caseId}/close`, headers: OP, payload: { resolution: 'other' } });
    expect(close.statusCode).toBe(409);
    expect(close.json()).toMatchObject({ error: 'call_active' });
  });

  it('D3.1 D3.2 D3.5: a locked feature answers 423 {error, message, feature, until} with Retry-After: the whole period while a call holds it, then the time left', async () => {
    const w = await world();
    const checkLocked = validator(LockedOutBody);
    const { caseId } = await sos(w);

    const held = await w.app.inject({ method: 'POST', url: `/v1/vehicles/${V}/remote-operations`, payload: { operation: 'door_unlock' } });
    expect(held.statusCode).toBe(423);
    expect(held.json()).toEqual({ error: 'locked_out', message: expect.any(String), feature: 'remote_operations', until: null });
    expect(checkLocked.issues(held.json())).toEqual([]);
    expect(held.headers['retry-after']).toBe('3600');

    // The operator clears the call: the lockout now ends 60 minutes later (D3.5).
    expect((await w.app.inject({ method: 'POST', url: `/v1/cases/${caseId}/answer`, headers: OP, payload: {} })).statusCode).toBe(200);
    expect((await w.app.inject({ method: 'POST', url: `/v1/cases/${caseId}/hangup`, headers: OP, payload: {} })).statusCode).toBe(200);
    await w.clock.advance(20 * 60_000);
    const wifi = await w.app.inject({ method: 'PUT', url: `/v1/vehicles/${V}/wifi`, payload: { enabled: false } });
    expect(wifi.statusCode).toBe(423);
    expect(wifi.json()).toEqual({ error: 'locked_out', message: expect.any(String), feature: 'wifi', until: new Date(T0 + 60 * 60_000).toISOString() });
    expect(wifi.headers['retry-after']).toBe('2400');

    await w.clock.advance(40 * 60_000);
    expect((await w.app.inject({ method: 'PUT', url: `/v1/vehicles/${V}/wifi`, payload: { enabled: false } })).statusCode).toBe(202);
  });

  it('STYLE 15: a car that keeps changing under every try ends in 409 busy (a coded answer after the retries, never a bare 500)', async () => {
    const w = await world();
    const { caseId } = await sos(w);
    w.faults.conflicts = true;
    const op = await w.app.inject({ method: 'POST', url: `/v1/vehicles/${V}/remote-operations`, payload: { operation: 'horn' } });
    expect(op.statusCode).toBe(423); // the rules answer before any commit is tried
    const answer = await w.app.inject({ method: 'POST', url: `/v1/cases/${caseId}/answer`, headers: OP, payload: {} });
    expect(answer.statusCode).toBe(409);
    expect(answer.json()).toEqual({ error: 'busy', message: expect.stringContaining('try again') });
    const other = vin(42);
    const wifi = await w.app.inject({ method: 'PUT', url: `/v1/vehicles/${other}/wifi`, payload: { enabled: true } });
    expect(wifi.statusCode).toBe(409);
    expect(wifi.json()).toMatchObject({ error: 'busy' });
  });

  it('a store outage (ping fails, calls fail) answers 503 unavailable with Retry-After on every route, and shows nothing of the cause', async () => {
    const w = await world();
    const { caseId } = await sos(w);
    w.faults.pingDown = true;
    w.faults.calls = () => new Error('connect ECONNREFUSED 10.9.8.7:6379 (redis://admin:hunter2@10.9.8.7)');
    for (const route of contractRoutes(caseId)) {
      const res = await w.app.inject({ ...route, headers: OP });
      expect(res.statusCode, `${route.method} ${route.url}`).toBe(503);
      expect(res.json()).toEqual({ error: 'unavailable', message: 'a dependency is unavailable' });
      expect(res.headers['retry-after']).toBe('5');
      expect(res.body).not.toMatch(INTERNALS);
    }
  });

  it('an outage the adapter names (StoreUnavailable, e.g. a Redis command timeout) is 503 even while ping still answers', async () => {
    const w = await world();
    w.faults.calls = () => new StoreUnavailable('Redis unavailable: Command timed out (10.9.8.7)');
    const res = await w.app.inject({ method: 'GET', url: `/v1/vehicles/${V}/lockout` });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ error: 'unavailable', message: 'a dependency is unavailable' });
    expect(res.headers['retry-after']).toBe('5');
    expect(res.body).not.toMatch(INTERNALS);
  });

  it('a fault with the store up is 500 internal, and the body hides what went wrong', async () => {
    const w = await world();
    const { caseId } = await sos(w);
    w.faults.calls = () => Object.assign(new Error('SELECT * FROM cases -- hunter2'), { stack: 'Error: SELECT\n    at query (/srv/anshin/services/x.ts:12:3)' });
    for (const route of contractRoutes(caseId)) {
      const res = await w.app.inject({ ...route, headers: OP });
      expect(res.statusCode, `${route.method} ${route.url}`).toBe(500);
      expect(res.json()).toEqual({ error: 'internal', message: 'internal error' });
      expect(res.body).not.toMatch(INTERNALS);
    }
  });
});

describe('every response shape has a protocol schema', () => {
  it('GET /v1/vehicles/{vin}/commands returns CommandRecord[] (protocol/http.ts), acks included, and the OpenAPI document says so', async () => {
    const w = await world();
    const sent = await w.app.inject({ method: 'POST', url: `/v1/vehicles/${V}/remote-operations`, payload: { operation: 'horn' } });
    expect(sent.statusCode).toBe(202);
    const { commandId } = sent.json<{ commandId: string }>();
    await w.service.ingest(topics.acks(V), Buffer.from(JSON.stringify({ v: 1, commandId, ok: false, error: 'door open' })));
    const res = await w.app.inject({ method: 'GET', url: `/v1/vehicles/${V}/commands` });
    expect(res.statusCode).toBe(200);
    const records = res.json<unknown[]>();
    const check = validator(CommandRecord);
    for (const r of records) expect(check.issues(r)).toEqual([]);
    expect(records).toEqual([
      { commandId, vin: V, cmd: 'remote', sentAt: new Date(T0).toISOString(), body: { cmd: 'remote', operation: 'horn' }, ack: { ok: false, error: 'door open', at: new Date(T0).toISOString() } },
    ]);

    const doc = (await w.app.inject({ method: 'GET', url: '/docs/json' })).json<{ paths: Record<string, Record<string, { responses: Record<string, unknown> }>> }>();
    const commands = doc.paths['/v1/vehicles/{vin}/commands']!.get!.responses;
    expect(JSON.stringify(commands['200'])).toContain('commandId');
    for (const [path, method] of [
      ['/v1/cases', 'get'],
      ['/v1/cases/{id}/answer', 'post'],
      ['/v1/vehicles/{vin}/remote-operations', 'post'],
      ['/v1/vehicles/{vin}/commands', 'get'],
    ] as const) {
      expect(Object.keys(doc.paths[path]![method]!.responses), `${method} ${path}`).toContain('503');
    }
  });
});
