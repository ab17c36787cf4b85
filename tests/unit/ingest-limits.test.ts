import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, topics } from '../../protocol/index.js';
import type { Raw } from '../../services/incident/ingest/context.js';
import { DeadLetterError } from '../../services/incident/ingest/dead-letter.js';
import { decode } from '../../services/incident/ingest/decode.js';
import type { IngestDeps } from '../../services/incident/ingest/stage.js';
import { validate } from '../../services/incident/ingest/validate.js';
import { validEvent } from '../helpers/raw-mqtt.js';
import { vin } from '../helpers/vins.js';

const deps = { config: { MAX_PAYLOAD_BYTES: 16 * 1024 } } as unknown as IngestDeps;
const V = vin(1);
const NOW = '2026-11-21T10:15:30.123Z';

/** decode then validate, as ingest runs them; the outcome is the rejection, or 'valid'. */
async function judge(topic: string, payload: string): Promise<{ reason: string; detail?: string } | 'valid'> {
  const raw: Raw = { topic, payload: Buffer.from(payload), receivedAt: 0 };
  try {
    await validate(await decode(raw, deps), deps);
    return 'valid';
  } catch (err) {
    if (!(err instanceof DeadLetterError)) throw err;
    return { reason: err.reason, ...(err.detail ? { detail: err.detail } : {}) };
  }
}
const json = (v: unknown) => JSON.stringify(v);

describe('ingest refuses what the store could not read back, before anything is stored (issue "No acknowledged emergency event lost")', () => {
  it('the probe airbag: data.deployed holds a lone surrogate (as a JSON escape) -> malformed_unicode at its pointer', async () => {
    const payload = json(validEvent(V, 'airbag', { ts: NOW, data: { deployed: ['driver_front\ud800'] } }));
    expect(payload).toContain('\\ud800'); // JSON.stringify escapes it: the bytes on the wire are valid UTF-8
    expect(await judge(topics.event(V, 'airbag'), payload)).toEqual({ reason: 'malformed_unicode', detail: 'lone surrogate at /data/deployed/0' });
  });

  it('the probe SOS: data nested 1,100 levels -> nesting_too_deep; the same nesting exactly at the limit is not refused for depth', async () => {
    const deep = (n: number) => `{"v":1,"eventId":"DEEP","vin":"${V}","type":"sos","ts":"${NOW}","position":null,"data":${'{"a":'.repeat(n)}1${'}'.repeat(n)}}`;
    const refused = await judge(topics.event(V, 'sos'), deep(1_100));
    expect(refused).toMatchObject({ reason: 'nesting_too_deep' });
    expect((refused as { detail: string }).detail).toMatch(new RegExp(`^deeper than ${MAX_JSON_DEPTH} at /data(/a)+$`));
    // data is level 1 of the envelope: MAX_JSON_DEPTH - 1 objects inside it are exactly at the limit.
    expect(await judge(topics.event(V, 'sos'), deep(MAX_JSON_DEPTH - 1))).toBe('valid');
    expect(await judge(topics.event(V, 'sos'), deep(MAX_JSON_DEPTH))).toMatchObject({ reason: 'nesting_too_deep' });
  });

  it('the probe timestamp 9999-99-99T99:99:99.999Z -> invalid_timestamp at /ts, for every event type', async () => {
    for (const type of ['airbag', 'impact', 'sos', 'trouble', 'power', 'security-alarm'] as const) {
      const payload = json(validEvent(V, type, { ts: '9999-99-99T99:99:99.999Z' }));
      expect(await judge(topics.event(V, type), payload)).toMatchObject({ reason: 'invalid_timestamp', detail: expect.stringMatching(/^\/ts: /) });
    }
  });

  it('telemetry and status (the retained Last Will) ts are judged too', async () => {
    expect(await judge(topics.telemetry(V), json({ v: 1, vin: V, ts: '2027-02-29T00:00:00.000Z', position: null }))).toMatchObject({ reason: 'invalid_timestamp' });
    expect(await judge(topics.status(V), json({ online: false, ts: '2026-01-01T24:00:00.000Z' }))).toMatchObject({ reason: 'invalid_timestamp' });
    expect(await judge(topics.status(V), json({ online: false, ts: '0000-01-01T00:00:00.000Z' }))).toMatchObject({ reason: 'invalid_timestamp' });
    expect(await judge(topics.telemetry(V), json({ v: 1, vin: V, ts: NOW, position: null, warningLamps: ['\udc00oil'] }))).toMatchObject({ reason: 'malformed_unicode', detail: 'lone surrogate at /warningLamps/0' });
    expect(await judge(topics.acks(V), json({ v: 1, commandId: 'C1', ok: false, error: 'x\ud83d' }))).toMatchObject({ reason: 'malformed_unicode', detail: 'lone surrogate at /error' });
  });

  it('an emergency is never refused for a drifting car clock: days, years, an epoch reset, the window edges', async () => {
    for (const ts of ['2026-11-14T10:15:30.123Z', '2019-04-06T23:59:42.000Z', '1999-08-22T00:00:00.000Z', '1970-01-01T00:00:00.000Z', '2099-12-31T23:59:59.999Z', '2028-02-29T00:00:00.000Z']) {
      expect(await judge(topics.event(V, 'sos'), json(validEvent(V, 'sos', { ts })))).toBe('valid');
    }
  });

  it('Japanese text and emoji (valid surrogate pairs) are accepted', async () => {
    expect(await judge(topics.event(V, 'security-alarm'), json(validEvent(V, 'security-alarm', { ts: NOW, data: { kind: '侵入検知🚨' } })))).toBe('valid');
    expect(await judge(topics.event(V, 'airbag'), json(validEvent(V, 'airbag', { ts: NOW, data: { deployed: ['運転席', '助手席🚗'] } })))).toBe('valid');
  });

  it('the schema still speaks first for a payload that is not JSON, and for a wrong shape with a bad time', async () => {
    expect(await judge(topics.event(V, 'sos'), '{"v":1,')).toMatchObject({ reason: 'malformed_json' });
    expect(await judge(topics.event(V, 'sos'), json(validEvent(V, 'sos', { ts: '9999-99-99T99:99:99.999Z', occupants: 'two' })))).toMatchObject({ reason: 'schema_invalid' });
  });
});
