/**
 * Foundations 5: ingest is a pipeline of typed stages (STYLE 5) listed once in ingest/index.ts; each
 * stage's time is in `/metrics` as `anshin_ingest_stage_seconds{stage}`, dead letters included.
 */
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { topics } from '../../protocol/index.js';
import { VirtualClock } from '../../lib/clock/index.js';
import { loadConfig } from '../../services/config.js';
import { STAGES } from '../../services/incident/ingest/index.js';
import { IncidentService } from '../../services/incident/service.js';
import { MemoryStore } from '../../services/incident/store/memory-store.js';
import { metricValue, validEvent } from '../helpers/raw-mqtt.js';
import { vin } from '../helpers/vins.js';

const V = vin(51);
const services: IncidentService[] = [];
afterEach(async () => {
  for (const s of services.splice(0)) await s.stop();
});

function service(): IncidentService {
  const clock = new VirtualClock(Date.parse('2026-11-21T10:00:00.000Z'));
  let n = 0;
  const s = new IncidentService({
    store: new MemoryStore({ clock }),
    clock,
    config: loadConfig({}, { LOG_LEVEL: 'silent' }),
    logger: pino({ level: 'silent' }),
    newId: () => `ID${++n}`,
    outbound: { publish: (_t, _p, _o, done) => done?.() },
  });
  services.push(s);
  return s;
}

const bytes = (v: unknown) => Buffer.from(JSON.stringify(v));

describe('ingest stages', () => {
  it('run in the order the index lists: decode -> validate -> dedupe -> decide+persist', () => {
    expect(STAGES).toEqual(['decode', 'validate', 'dedupe', 'decide+persist']);
  });

  it('each stage a message reached is timed in anshin_ingest_stage_seconds{stage}; a dead letter stops the count at its stage', async () => {
    const s = service();
    const telemetry = await s.ingest(topics.telemetry(V), bytes({ v: 1, vin: V, ts: new Date().toISOString(), position: null }));
    expect(telemetry.status).toBe('accepted');
    const event = validEvent(V, 'sos');
    const sos = await s.ingest(topics.event(V, 'sos'), bytes(event));
    expect(sos).toMatchObject({ status: 'accepted', processed: { message: { kind: 'event' }, committed: { feed: expect.any(Array) } } });
    // Refused at decode (not JSON), and at dedupe (the same eventId again).
    expect(await s.ingest(topics.event(V, 'sos'), Buffer.from('{"v":1,'))).toEqual({ status: 'dead_lettered', reason: 'malformed_json', detail: expect.any(String) });
    expect(await s.ingest(topics.event(V, 'sos'), bytes(event))).toEqual({ status: 'dead_lettered', reason: 'duplicate_event', detail: event.eventId });

    const text = await s.metrics.registry.metrics();
    expect(text).toContain('# TYPE anshin_ingest_stage_seconds histogram');
    const count = (stage: string) => metricValue(text, 'anshin_ingest_stage_seconds_count', { stage });
    expect(STAGES.map(count)).toEqual([4, 3, 3, 2]);
    for (const stage of STAGES) {
      expect(metricValue(text, 'anshin_ingest_stage_seconds_bucket', { stage, le: '+Inf' })).toBe(count(stage));
      expect(metricValue(text, 'anshin_ingest_stage_seconds_bucket', { stage, le: '1' })).toBe(count(stage));
      expect(metricValue(text, 'anshin_ingest_stage_seconds_sum', { stage })).toBeGreaterThan(0);
    }
    expect(metricValue(text, 'anshin_ingest_rejections_total', { reason: 'malformed_json' })).toBe(1);
    expect(metricValue(text, 'anshin_ingest_rejections_total', { reason: 'duplicate_event' })).toBe(1);
  });
});
