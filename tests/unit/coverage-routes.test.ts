/**
 * Issue 13, part 3: `POST /v1/coverage/assess` and `GET /v1/coverage/programmes` through `buildApp` +
 * `inject` (STYLE 16), over the real IncidentService on a VirtualClock: 200 with the contract's answer,
 * 404 `unknown_programme`, 400 for a malformed request or one the programme cannot judge.
 */
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { CoverageAnswer, CoverageProgrammeList, validator } from '../../protocol/index.js';
import { VirtualClock } from '../../lib/clock/index.js';
import { loadConfig } from '../../services/config.js';
import { buildApp } from '../../services/incident/app.js';
import { IncidentService } from '../../services/incident/service.js';
import { MemoryStore } from '../../services/incident/store/memory-store.js';
import { jst, request } from '../helpers/coverage.js';

const T0 = Date.parse('2024-06-01T03:00:00.000Z'); // 12:00 JST
const open: Array<{ app: FastifyInstance; service: IncidentService }> = [];
afterEach(async () => {
  for (const w of open.splice(0)) {
    await w.app.close();
    await w.service.stop();
  }
});

async function app(env: Record<string, string> = {}, now = T0): Promise<FastifyInstance> {
  const clock = new VirtualClock(now);
  const config = loadConfig(env, { LOG_LEVEL: 'silent' });
  const logger = pino({ level: 'silent' });
  let n = 0;
  const service = new IncidentService({ store: new MemoryStore({ clock }), clock, config, logger, newId: () => `ID${String(++n).padStart(8, '0')}`, outbound: { publish: (_t, _p, _o, done) => done?.() } });
  await service.start();
  const built = await buildApp({ service, config, logger, readiness: [] });
  open.push({ app: built, service });
  return built;
}

const post = (a: FastifyInstance, payload: unknown) =>
  a.inject({ method: 'POST', url: '/v1/coverage/assess', headers: { 'content-type': 'application/json' }, payload: typeof payload === 'string' ? payload : JSON.stringify(payload) });

describe('POST /v1/coverage/assess', () => {
  it('answers with the contract shape: JCB, 12.3 km at 21:30 JST, 120 km from home, lodging', async () => {
    const a = await app();
    const res = await post(a, request('jcb-car-rescue-365', { incident: { at: jst('2024-06-01 21:30'), work: ['tow'], towKm: 12.3, drivable: false, distanceFromHomeKm: 120, afterFollow: 'lodging' } }));
    expect(res.statusCode).toBe(200);
    const body = res.json<CoverageAnswer>();
    expect(validator(CoverageAnswer).issues(body)).toEqual([]);
    expect(body).toMatchObject({
      programme: 'jcb-car-rescue-365',
      eligible: true,
      refusals: [],
      work: [{ kind: 'tow', covered: true }],
      tow: { km: 12.3, freeKm: 10, chargedKm: 3, band: 'night', yenPerKm: 600, memberPaysYen: 1800, taxIncluded: false },
      afterFollow: { eligible: true, kind: 'lodging', limitYen: 15000 },
      japanTime: '2024-06-01 21:30 JST',
    });
  });

  it('a refusal is a 200 answer, not an error', async () => {
    const res = await post(await app(), request('jcb-car-rescue-365', { vehicle: { plate: 'green' } }));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ eligible: false, refusals: ['vehicle_commercial'] });
  });

  it('an unknown programme is 404 unknown_programme naming the known ones', async () => {
    const res = await post(await app(), request('acme-road'));
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: 'unknown_programme', message: expect.stringContaining('jcb-car-rescue-365'), known: expect.arrayContaining(['jaf']) });
  });

  it.each([
    ['an unknown field (a typo must not make a tow free)', { ...request('jaf'), incident: { ...request('jaf').incident, towkm: 30 } }, 'validation_failed'],
    ['a wrong enum', { ...request('jaf'), vehicle: { ...request('jaf').vehicle, plate: 'blue' } }, 'validation_failed'],
    ['a missing required field', { ...request('jaf'), incident: { ...request('jaf').incident, drivable: undefined } }, 'validation_failed'],
    ['a time that is not ISO UTC with ms', { ...request('jaf'), incident: { ...request('jaf').incident, at: '2024-06-01 12:00' } }, 'validation_failed'],
    ['a time that is not a real instant', { ...request('jaf'), incident: { ...request('jaf').incident, at: '2024-02-30T00:00:00.000Z' } }, 'invalid_timestamp'],
    ['a programme id that is not one', { ...request('jaf'), programme: 'JAF!' }, 'validation_failed'],
    ['not JSON at all', 'nope', 'bad_request'],
  ])('malformed, 400: %s', async (_name, payload, code) => {
    const res = await post(await app(), payload);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: code, message: expect.any(String) });
  });

  it('a request the programme cannot judge is 400 naming the fields it needs', async () => {
    const res = await post(await app(), request('nissan-card-src24'));
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: 'validation_failed', message: expect.stringContaining('member.calledAt is needed'), fields: ['member.approvedByCentre', 'member.calledAt'] });
  });

  it('"now" is the service clock: a Nissan claim deadline without claimAt', async () => {
    const req = request('nissan-card-src24', { incident: { at: jst('2024-05-10 09:00') }, member: { approvedByCentre: true, calledAt: jst('2024-05-10 09:10') } });
    const inTime = (await post(await app({}, Date.parse(jst('2024-07-10 23:00'))), req)).json<CoverageAnswer>();
    const late = (await post(await app({}, Date.parse(jst('2024-07-11 00:00'))), req)).json<CoverageAnswer>();
    expect([inTime.compensation?.eligible, late.compensation?.eligible]).toEqual([true, false]);
  });

  it('sits under /v1 like the other routes: with API_TOKEN set, 401 without it', async () => {
    const a = await app({ API_TOKEN: 'secret-token-123' });
    expect((await post(a, request('jaf'))).statusCode).toBe(401);
    expect((await a.inject({ method: 'GET', url: '/v1/coverage/programmes' })).statusCode).toBe(401);
    const ok = await a.inject({ method: 'POST', url: '/v1/coverage/assess', payload: request('jaf'), headers: { authorization: 'Bearer secret-token-123' } });
    expect(ok.json()).toMatchObject({ programme: 'jaf', eligible: true });
    expect(ok.statusCode).toBe(200);
  });
});

describe('GET /v1/coverage/programmes', () => {
  it('lists the programmes, their versions and the one in force on the service clock (Japan date)', async () => {
    const before = (await (await app({}, Date.parse('2024-03-31T14:59:59.999Z'))).inject({ method: 'GET', url: '/v1/coverage/programmes' })).json<CoverageProgrammeList>();
    const after = (await (await app({}, Date.parse('2024-03-31T15:00:00.000Z'))).inject({ method: 'GET', url: '/v1/coverage/programmes' })).json<CoverageProgrammeList>();
    expect(validator(CoverageProgrammeList).issues(after)).toEqual([]);
    expect(after.programmes.map((p) => p.id).sort()).toEqual(['car-share', 'jaf', 'jcb-car-rescue-365', 'nissan-card-src24', 'rakuten-drive-assist']);
    const jaf = (l: CoverageProgrammeList) => l.programmes.find((p) => p.id === 'jaf')!;
    expect(jaf(after).versions.map((v) => v.effectiveFrom)).toEqual(['2008-12-01', '2024-04-01']);
    expect([jaf(before).inForce, jaf(after).inForce]).toEqual(['2008-12-01', '2024-04-01']);
  });

  it('both routes are in the OpenAPI document, with their errors', async () => {
    const doc = (await (await app()).inject({ method: 'GET', url: '/docs/json' })).json<{ paths: Record<string, Record<string, { responses: Record<string, unknown> }>> }>();
    expect(Object.keys(doc.paths['/v1/coverage/assess']!.post!.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '404', '503']));
    expect(doc.paths['/v1/coverage/programmes']!.get).toBeDefined();
  });
});
