import { Type } from '@sinclair/typebox';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IsoTime, MAX_JSON_DEPTH } from '../../protocol/index.js';
import { errorsPlugin } from '../../services/incident/plugins/errors.js';
import { inputLimitsPlugin } from '../../services/incident/plugins/input-limits.js';

/**
 * The HTTP side of issue "No acknowledged emergency event lost", through `inject` (STYLE 16): a body
 * the store could not read back is refused with 400 before the handler runs. No route of the contract
 * takes an IsoTime input yet, so one is declared here to show that such an input refuses impossible dates.
 */
describe('HTTP bodies that would poison the store are refused with 400 {error, message}', () => {
  let app: FastifyInstance;
  const handled: unknown[] = [];

  beforeAll(async () => {
    app = Fastify();
    await app.register(errorsPlugin);
    await app.register(inputLimitsPlugin);
    app.post('/echo', async (req) => {
      handled.push(req.body);
      return { ok: true };
    });
    app.get('/since', { schema: { querystring: Type.Object({ since: Type.Optional(IsoTime) }) } }, async () => ({ ok: true }));
    app.post('/until', { schema: { body: Type.Object({ until: Type.Union([IsoTime, Type.Null()]) }) } }, async () => ({ ok: true }));
    await app.ready();
  });
  afterAll(async () => app.close());

  const post = (url: string, payload: string) => app.inject({ method: 'POST', url, payload, headers: { 'content-type': 'application/json' } });
  const nested = (n: number) => `{"resolution":"other","x":${'['.repeat(n)}${']'.repeat(n)}}`;

  it('a close note with a lone surrogate (JSON escape) -> 400 malformed_unicode naming the pointer; the handler never runs', async () => {
    const before = handled.length;
    const res = await post('/echo', '{"resolution":"other","note":"see car \\ud800"}');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: 'malformed_unicode', message: expect.stringContaining('/note'), pointer: '/note' });
    expect(handled.length).toBe(before);
  });

  it('a lone low surrogate in a key is refused the same way', async () => {
    const res = await post('/echo', '{"\\udc00":1}');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'malformed_unicode' });
  });

  it(`nesting: ${MAX_JSON_DEPTH} levels pass, one more -> 400 nesting_too_deep; 1,100 levels too`, async () => {
    expect((await post('/echo', nested(MAX_JSON_DEPTH - 1))).statusCode).toBe(200); // the body object is level 1
    const over = await post('/echo', nested(MAX_JSON_DEPTH));
    expect(over.statusCode).toBe(400);
    expect(over.json()).toMatchObject({ error: 'nesting_too_deep', message: expect.any(String) });
    expect((await post('/echo', nested(1_100))).json()).toMatchObject({ error: 'nesting_too_deep' });
  });

  it('Japanese text and emoji pass', async () => {
    const res = await post('/echo', JSON.stringify({ resolution: 'other', note: '救急車を手配済み 🚑' }));
    expect(res.statusCode).toBe(200);
    expect(handled.at(-1)).toEqual({ resolution: 'other', note: '救急車を手配済み 🚑' });
  });

  it('an IsoTime query or body input refuses impossible dates with 400 invalid_timestamp, and takes real ones', async () => {
    const bad = await app.inject({ method: 'GET', url: '/since?since=9999-99-99T99:99:99.999Z' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: 'invalid_timestamp', pointer: '/since' });
    expect((await app.inject({ method: 'GET', url: '/since?since=2028-02-29T00:00:00.000Z' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/since' })).statusCode).toBe(200);
    expect((await post('/until', '{"until":"2027-02-29T00:00:00.000Z"}')).json()).toMatchObject({ error: 'invalid_timestamp', pointer: '/until' });
    expect((await post('/until', '{"until":null}')).statusCode).toBe(200);
  });

  it('bodies without these problems, and requests without a body, are untouched', async () => {
    expect((await post('/echo', '{"a":[1,{"b":"c"}]}')).statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: '/echo' })).statusCode).toBe(200);
  });
});
