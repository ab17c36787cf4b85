import { describe, expect, it } from 'vitest';
import type { Command } from '../../protocol/index.js';
import { parseTrace } from '../../qa/trace/reader.js';
import { scenarioDigest } from '../../qa/trace/record-fixtures.js';
import { ackOfUnreplayed, recordedCommands, replayTrace } from '../../qa/trace/replay.js';
import { StepClock } from '../../qa/trace/step-clock.js';
import { ConfigCheck } from '../../simulator/scenario/config-check.js';
import { ScenarioError, parseScenario } from '../../simulator/scenario/index.js';

const T0 = Date.UTC(2026, 10, 21, 9, 0, 0);
const VIN = 'JT2AE92E3K0000001';
const iso = (t: number) => new Date(T0 + t).toISOString();

describe('StepClock: one timer at a time, in due order', () => {
  it('fires the earliest timer alone (ties in the order set), moves time to it and never back', () => {
    const clock = new StepClock(T0);
    const fired: string[] = [];
    clock.setTimer(20, () => fired.push('b'));
    clock.setTimer(10, () => fired.push('a'));
    const c = clock.setTimer(20, () => fired.push('c'));
    clock.setTimer(20, () => fired.push('d'));
    clock.clearTimer(c);
    expect(clock.pending).toBe(3);
    expect(clock.fireNext()).toBe(true);
    expect([fired, clock.now() - T0]).toEqual([['a'], 10]);
    expect(clock.fireNext()).toBe(true);
    expect([fired, clock.now() - T0]).toEqual([['a', 'b'], 20]);
    clock.setTimer(0, () => fired.push('now'));
    clock.fireNext();
    clock.fireNext();
    expect(fired).toEqual(['a', 'b', 'd', 'now']);
    expect(clock.fireNext()).toBe(false);
    expect([clock.now() - T0, clock.fired]).toEqual([20, 4]);
  });
});

describe('replay: acks of commands whose cause is not in the trace', () => {
  const header = { format: 'anshin-trace', version: 1, startedAt: iso(0), project: { name: 'anshin', version: '0.1.0' }, config: { LOCKOUT_MINUTES: 60, IMPACT_DELTA_V_KMH: 8 } };
  const line = (t: number, dir: 'in' | 'out', topic: string, body: object) => ({ kind: 'mqtt', t, wall: iso(t), dir, topic: `v1/vehicles/${VIN}/${topic}`, payload: JSON.stringify(body), qos: 1, retain: false });
  const cmd = (t: number, commandId: string, body: object) => line(t, 'out', 'commands', { v: 1, commandId, ts: iso(t), ...body });
  const ack = (t: number, commandId: string) => line(t, 'in', 'acks', { v: 1, commandId, ok: true });
  const sos = { v: 1, eventId: '01M7YNAZK84JTD6S3SBFMWH9AQ', vin: VIN, type: 'sos', ts: iso(1000), position: { lat: 35.68, lon: 139.76, trusted: true }, data: {} };
  const lockout = { cmd: 'lockout', vin: VIN, active: true, features: ['remote_operations', 'trouble_button', 'security_alarm', 'wifi', 'app_center'], until: null };
  // Live: a remote operation (HTTP, not in the trace) before the SOS; then the SOS's three commands.
  const trace = parseTrace(
    [
      header,
      cmd(500, 'R', { cmd: 'remote', operation: 'horn' }),
      ack(500, 'R'),
      cmd(600, 'W', { cmd: 'wifi', enabled: true }),
      ack(600, 'W'),
      line(1000, 'in', 'events/sos', sos),
      cmd(1000, 'A', { cmd: 'call.state', sessionId: 'S', state: 'ringing', audioMuted: true }),
      cmd(1000, 'B', lockout),
      cmd(1000, 'C', { cmd: 'wifi', enabled: false }),
      ack(1000, 'A'),
      ack(1000, 'B'),
      ack(1000, 'C'),
    ]
      .map((l) => JSON.stringify(l))
      .join('\n') + '\n',
  );

  it('the k-th command a replay sends is counted without `remote` and owner `wifi` commands; the lockout wifi counts', () => {
    const recorded = recordedCommands(trace);
    expect(Object.fromEntries(recorded)).toEqual({ R: null, W: null, A: { vin: VIN, k: 0 }, B: { vin: VIN, k: 1 }, C: { vin: VIN, k: 2 } });
    const acks = trace.lines.filter((l) => l.kind === 'mqtt' && l.topic.endsWith('/acks'));
    expect(acks.map((l) => l.kind === 'mqtt' && ackOfUnreplayed(l, recorded))).toEqual([true, true, false, false, false]);
  });

  it('so every replayed command gets its own ack, and nothing is dead-lettered', async () => {
    const { outcome } = await replayTrace(trace);
    expect(outcome.deadLetters).toEqual([]);
    expect(outcome.commands.slice(0, 3).map((c) => [c.cmd, c.ack])).toEqual([
      ['call.state', { at: 1000, ok: true }],
      ['lockout', { at: 1000, ok: true }],
      ['wifi', { at: 1000, ok: true }],
    ]);
  });
});

describe('scenario config', () => {
  const yaml = (extra: string) => `name: t\ndescription: d\n${extra}cars:\n  - id: a\n    timeline:\n      - at: 1s\n        sos: true\n`;

  it('is typed: a known key with a number, anything else an error naming its line', () => {
    expect(parseScenario(yaml('config: { LOCKOUT_MINUTES: 0.1 }\n')).config).toEqual({ LOCKOUT_MINUTES: 0.1 });
    for (const bad of ['config: { LOCKOUT_MINUTE: 1 }\n', "config: { LOCKOUT_MINUTES: '0.1' }\n", 'config: { IMPACT_DELTA_V_KMH: 0 }\n']) {
      try {
        parseScenario(yaml(bad), 'c.yaml');
        throw new Error(`accepted ${bad}`);
      } catch (err) {
        expect(err).toBeInstanceOf(ScenarioError);
        expect((err as ScenarioError).problems[0]).toMatchObject({ line: 3, message: expect.stringMatching(/^\/config/) });
      }
    }
  });

  it('a fixture depends on what the scenario does, not on its prose', () => {
    const base = parseScenario(yaml('config: { LOCKOUT_MINUTES: 0.1 }\n'));
    expect(scenarioDigest({ ...base, description: 'other words', rules: ['D3.5'] })).toBe(scenarioDigest(base));
    expect(scenarioDigest({ ...base, cars: [{ id: 'a', timeline: [{ at: '1s', sos: true, note: 'why' }] }] })).toBe(scenarioDigest(base));
    expect(scenarioDigest({ ...base, config: { LOCKOUT_MINUTES: 60 } })).not.toBe(scenarioDigest(base));
    expect(scenarioDigest({ ...base, cars: [{ id: 'a', timeline: [{ at: '2s', sos: true }] }] })).not.toBe(scenarioDigest(base));
  });

  it('sim run: warns when the lockout after a clear-down is not the LOCKOUT_MINUTES the scenario is written for', () => {
    const cleared: Command = { v: 1, commandId: 'c1', ts: iso(3000), cmd: 'call.state', sessionId: 'S', state: 'cleared', audioMuted: false };
    const lockout = (untilMs: number): Command => ({ v: 1, commandId: 'c2', ts: iso(3000), cmd: 'lockout', vin: VIN, active: true, features: ['remote_operations'], until: iso(untilMs) });
    const seen = (minutes: number | undefined, untilMs: number) => {
      const warnings: string[] = [];
      const check = new ConfigCheck(minutes === undefined ? undefined : { LOCKOUT_MINUTES: minutes }, (w) => warnings.push(w));
      check.onCommand('a', cleared, T0 + 3005);
      check.onCommand('a', lockout(untilMs), T0 + 3005);
      return warnings;
    };
    expect(seen(0.1, 3000 + 6000)).toEqual([]); // 6 s, a few ms of transit
    expect(seen(0.1, 3000 + 3_600_000)).toEqual([expect.stringMatching(/lockout runs 60 min after a clear-down, but this scenario is written for LOCKOUT_MINUTES=0\.1/)]);
    expect(seen(undefined, 3000 + 3_600_000)).toEqual([]); // a scenario that names no config is not checked
  });
});
