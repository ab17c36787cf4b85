import { describe, expect, it } from 'vitest';
import { prettyLine } from '../../lib/logger.js';
import { ConfigError, loadConfig } from '../../services/config.js';

describe('LOG_FORMAT=pretty: one readable line an event (issue "Foundations", part 9)', () => {
  it('time in Japan time, level, the sentence first, then what it does not already name', () => {
    const line = prettyLine({ level: 30, time: '2026-12-01T01:15:30.123Z', pid: 1, name: 'anshin', vin: 'JT2AE92E3K0000001', eventId: '01JEVENT', caseId: '01JCASE', msg: 'case 01JCASE opened: airbag, priority 1' });
    expect(line).toBe('10:15:30 JST INFO  case 01JCASE opened: airbag, priority 1 (vin JT2AE92E3K0000001, event 01JEVENT)');
  });

  it('objects stay in the JSON format; numbers are shown; an error adds its message, and its stack at level error', () => {
    expect(prettyLine({ level: 30, time: '2026-12-01T14:59:59Z', msg: 'lockout timers armed', armed: 2, outboxResent: 0, component: 'x' })).toBe('23:59:59 JST INFO  lockout timers armed (armed 2, outboxResent 0)');
    expect(prettyLine({ level: 30, time: '2026-12-01T15:00:00Z', msg: 'car JT2AE92E3K0000002 (sos) obeys call.state', vin: 'JT2AE92E3K0000002', role: 'sos', command: { cmd: 'call.state' } })).toBe('00:00:00 JST INFO  car JT2AE92E3K0000002 (sos) obeys call.state');
    expect(prettyLine({ level: 40, time: '2026-12-01T00:00:00Z', msg: 'mqtt connection trouble', err: 'ECONNREFUSED' })).toBe('09:00:00 JST WARN  mqtt connection trouble (error: ECONNREFUSED)');
    const error = prettyLine({ level: 50, time: '2026-12-01T00:00:00Z', msg: 'subscribe failed', err: { type: 'Error', message: 'boom', stack: 'Error: boom\n    at here (x.ts:1:1)' } });
    expect(error).toBe('09:00:00 JST ERROR subscribe failed (error: boom)\n    at here (x.ts:1:1)');
  });

  it('LOG_FORMAT is json or pretty; anything else stops start-up naming it', () => {
    expect(loadConfig({ LOG_FORMAT: 'pretty' }).LOG_FORMAT).toBe('pretty');
    expect(loadConfig({}).LOG_FORMAT).toBeUndefined(); // pretty on a terminal, else json (lib/logger.ts)
    expect(() => loadConfig({ LOG_FORMAT: 'xml' })).toThrow(ConfigError);
    expect(() => loadConfig({ LOG_FORMAT: 'xml' })).toThrow(/LOG_FORMAT/);
  });
});
