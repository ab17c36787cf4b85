import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../qa/trace/canonical.js';
import { diffJson, formatDiff } from '../../qa/trace/diff.js';
import { encodePayload, payloadBytes } from '../../qa/trace/lines.js';
import { normalize } from '../../qa/trace/outcome.js';
import { topicMatches } from '../../protocol/index.js';

describe('trace outcome helpers', () => {
  it('canonical JSON sorts keys at every level, so equal outcomes are equal bytes', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: null } })).toBe(canonicalJson({ a: { c: null, d: [{ y: 2, z: 1 }] }, b: 1 }));
  });

  it('diff names each differing path', () => {
    const expected = { cases: [{ priority: 1 }, { priority: 1 }, { priority: 1, vin: 'A' }], deadLetters: [] };
    const got = { cases: [{ priority: 1 }, { priority: 1 }, { priority: 2 }], deadLetters: [{ reason: 'schema_invalid', count: 1 }] };
    expect(diffJson(expected, got)).toEqual([
      'cases[2].priority: expected 1, got 2',
      'cases[2].vin: missing (expected "A")',
      'deadLetters[0]: unexpected {"reason":"schema_invalid","count":1}',
    ]);
    expect(formatDiff(['a', 'b', 'c'], 2)).toBe('a\nb\n... and 1 more');
  });

  it('normalises ids to names and ISO times to ms since the start', () => {
    const ids = new Map([['01ABC', 'case-1']]);
    expect(normalize({ id: '01ABC', openedAt: '2026-11-21T09:00:01.500Z', note: 'x' }, Date.UTC(2026, 10, 21, 9), ids)).toEqual({ id: 'case-1', openedAt: 1500, note: 'x' });
  });

  it('payloads: UTF-8 kept as text, anything else as base64, bytes exact either way', () => {
    expect(encodePayload(Buffer.from('{"a":"東京"}'))).toEqual({ payload: '{"a":"東京"}' });
    const bin = Buffer.from([0xff, 0x00, 0xc3]);
    const enc = encodePayload(bin);
    expect(enc).toEqual({ payloadBase64: bin.toString('base64') });
    expect(payloadBytes({ kind: 'mqtt', t: 0, wall: '2026-11-21T09:00:00.000Z', dir: 'in', topic: 'x', qos: 0, retain: false, ...enc }).equals(bin)).toBe(true);
  });

  it('MQTT topic filters', () => {
    expect(topicMatches('v1/vehicles/+/events/+', 'v1/vehicles/V/events/sos')).toBe(true);
    expect(topicMatches('v1/vehicles/+/events/+', 'v1/vehicles/V/telemetry')).toBe(false);
    expect(topicMatches('v1/#', 'v1/vehicles/V/acks')).toBe(true);
    expect(topicMatches('v1/vehicles/+', 'v1/vehicles/V/acks')).toBe(false);
  });
});
