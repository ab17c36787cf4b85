import { describe, expect, it } from 'vitest';
import { parseTrace, TraceFileError } from '../../qa/trace/reader.js';

const header = { format: 'anshin-trace', version: 1, startedAt: '2026-11-21T09:00:00.000Z', project: { name: 'anshin', version: '0.1.0' }, config: { LOCKOUT_MINUTES: 60, IMPACT_DELTA_V_KMH: 8 } };
const VIN = 'JT2AE92E3K0000001';
const mqtt = (t: number, extra: object = {}) => ({ kind: 'mqtt', t, wall: '2026-11-21T09:00:01.000Z', dir: 'in', topic: `v1/vehicles/${VIN}/status`, payload: '{"online":true,"ts":"2026-11-21T09:00:01.000Z"}', qos: 1, retain: true, ...extra });
const op = (t: number, extra: object = {}) => ({ kind: 'operator', t, wall: '2026-11-21T09:00:02.000Z', action: 'answer', vin: VIN, eventId: '01M7YNAZK84JTD6S3SBFMWH9AQ', operatorId: 'op-1', ...extra });
const ndjson = (...lines: object[]) => `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`;

function errorOf(text: string, strict = false): string {
  try {
    parseTrace(text, { name: 'run.ndjson', strict });
  } catch (err) {
    expect(err).toBeInstanceOf(TraceFileError);
    return (err as Error).message;
  }
  throw new Error('expected a TraceFileError');
}

describe('trace files: a bad one gets an error naming the line', () => {
  it('reads a good trace: header, mqtt and operator lines', () => {
    const t = parseTrace(ndjson(header, mqtt(0), op(5)), { name: 'run.ndjson' });
    expect(t.lines.map((l) => l.kind)).toEqual(['mqtt', 'operator']);
    expect(t.lineNumbers).toEqual([2, 3]);
    expect(t.warnings).toEqual([]);
  });

  it('wrong format version', () => {
    expect(errorOf(ndjson({ ...header, version: 2 }, mqtt(0)))).toBe('run.ndjson:1: trace format version 2 is not supported (this anshin reads version 1)');
  });

  it('not a trace at all', () => {
    expect(errorOf(ndjson({ format: 'mqtt-recorder' }))).toMatch(/^run\.ndjson:1: not an anshin trace/);
  });

  it('unknown fields, in the header and in a line', () => {
    expect(errorOf(ndjson({ ...header, extra: 1 }))).toBe('run.ndjson:1: bad header: unknown field "extra"');
    expect(errorOf(ndjson(header, mqtt(0), mqtt(1, { colour: 'red' })))).toBe('run.ndjson:3: bad mqtt line: unknown field "colour"');
    expect(errorOf(ndjson(header, mqtt(0), op(1, { caseId: 'x' })))).toBe('run.ndjson:3: bad operator line: unknown field "caseId"');
  });

  it('missing fields and bad values', () => {
    const { topic: _t, ...noTopic } = mqtt(0);
    expect(errorOf(ndjson(header, noTopic))).toBe('run.ndjson:2: bad mqtt line: missing field "topic"');
    expect(errorOf(ndjson(header, mqtt(0, { dir: 'sideways' })))).toMatch(/^run\.ndjson:2: bad mqtt line: \/dir/);
    expect(errorOf(ndjson(header, mqtt(0, { payloadBase64: 'AA==' })))).toBe('run.ndjson:2: an mqtt line has exactly one of payload and payloadBase64');
    expect(errorOf(ndjson(header, op(0, { action: 'close' })))).toBe('run.ndjson:2: a close needs a resolution');
    expect(errorOf(ndjson(header, { kind: 'http', t: 0 }))).toBe('run.ndjson:2: unknown line kind "http" (expected "mqtt" or "operator")');
  });

  it('bad JSON in the middle', () => {
    const text = `${JSON.stringify(header)}\n${JSON.stringify(mqtt(0))}\n{"kind":"mqtt",\n${JSON.stringify(mqtt(1))}\n`;
    expect(errorOf(text)).toMatch(/^run\.ndjson:3: bad JSON \(/);
  });

  it('lines out of time order', () => {
    expect(errorOf(ndjson(header, mqtt(0), mqtt(500), op(499)))).toBe("run.ndjson:4: out of time order: t 499 is before the previous line's t 500");
  });

  it('a truncated last line (no newline, not JSON) is a warning and ignored; an error with strict', () => {
    const text = `${ndjson(header, mqtt(0), mqtt(1))}${JSON.stringify(mqtt(2)).slice(0, 40)}`;
    const t = parseTrace(text, { name: 'run.ndjson' });
    expect(t.lines).toHaveLength(2);
    expect(t.warnings).toEqual(['run.ndjson:4: truncated last line ignored (a recorder stopped mid-write; --strict makes this an error)']);
    expect(errorOf(text, true)).toBe('run.ndjson:4: truncated last line (no newline, not valid JSON)');
  });

  it('a complete last line without its newline is fine', () => {
    const text = ndjson(header, mqtt(0), mqtt(1)).trimEnd();
    expect(parseTrace(text).lines).toHaveLength(2);
  });

  it('an empty file', () => {
    expect(errorOf('')).toBe('run.ndjson:1: empty file: expected the trace header');
  });
});
