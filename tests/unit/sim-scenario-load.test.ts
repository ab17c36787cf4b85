import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_DIR, ScenarioError, durationMs, parseScenario } from '../../simulator/scenario/index.js';

function problemsOf(text: string): { line: number; message: string }[] {
  try {
    parseScenario(text, 'test.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(ScenarioError);
    return (err as ScenarioError).problems;
  }
  throw new Error('expected the scenario to be rejected');
}

const ok = `name: t
description: d
cars:
  - id: a
    timeline:
      - at: 1s
        impact: { deltaVKmh: 38, direction: front }
      - at: 31s
        power: 'off'
      - at: 32s
        operator: answer
`;

describe('scenario files', () => {
  it.each(readdirSync(BUILT_IN_DIR).filter((f) => f.endsWith('.yaml')))('built-in %s is valid and named like its file', (f) => {
    const s = parseScenario(readFileSync(path.join(BUILT_IN_DIR, f), 'utf8'), f);
    expect(s.name).toBe(f.replace(/\.yaml$/, ''));
  });

  it('ships the nine scenarios of the simulator issue and the three of the operator\'s-work issue (12)', () => {
    const first = ['accidental-sos', 'earthquake-storm', 'highway-airbag-no-response', 'impact-below-threshold', 'lockout-expiry', 'power-off-during-call', 'sos-illness', 'trouble-battery-tow', 'trouble-during-lockout'];
    const operatorsWork = ['breakdown-service-car', 'near-side-crash-no-response', 'sos-then-crash'];
    expect(readdirSync(BUILT_IN_DIR).sort()).toEqual([...first, ...operatorsWork].sort().map((n) => `${n}.yaml`));
  });

  it('accepts a valid timeline', () => {
    expect(parseScenario(ok).cars![0]!.timeline).toHaveLength(3);
  });

  it('an unknown field is an error naming its line', () => {
    const p = problemsOf(ok.replace('        power: \'off\'', "        power: 'off'\n        powr: on"));
    expect(p).toEqual([expect.objectContaining({ line: 10, message: expect.stringMatching(/powr: Unexpected property/) })]);
  });

  it('a wrong type is an error naming its line', () => {
    const p = problemsOf(ok.replace('deltaVKmh: 38', 'deltaVKmh: fast'));
    expect(p[0]).toMatchObject({ line: 7, message: expect.stringMatching(/deltaVKmh: Expected number/) });
  });

  it('a bad duration names its line', () => {
    expect(problemsOf(ok.replace('at: 31s', 'at: soon'))[0]).toMatchObject({ line: 8 });
  });

  it('a step with two actions or none names the step line', () => {
    const two = problemsOf(ok.replace("        power: 'off'", "        power: 'off'\n        sos: true"));
    expect(two[0]).toMatchObject({ line: 8, message: expect.stringMatching(/exactly one action.*found sos, power/) });
    const none = problemsOf(ok.replace("        power: 'off'\n", "        note: nothing\n"));
    expect(none[0]).toMatchObject({ line: 8, message: expect.stringMatching(/found none/) });
  });

  it('steps out of time order, an unknown route and a YAML syntax error are reported with lines', () => {
    expect(problemsOf(ok.replace('at: 32s', 'at: 2s'))[0]).toMatchObject({ line: 10, message: expect.stringMatching(/time order/) });
    expect(problemsOf(ok.replace('impact: { deltaVKmh: 38, direction: front }', 'drive: { route: route66, speedKmh: 80 }'))[0]).toMatchObject({ line: 7, message: expect.stringMatching(/unknown route/) });
    expect(problemsOf(ok.replace('      - at: 31s', '      - at: 31s\n     bad: [')).length).toBeGreaterThan(0);
    expect(problemsOf(ok.replace('      - at: 31s', '      - at: 31s\n     bad: ['))[0]!.line).toBeGreaterThanOrEqual(8);
  });

  it('the error message reads file:line:col', () => {
    try {
      parseScenario(ok.replace('operator: answer', 'operator: dance'), 'mine.yaml');
    } catch (err) {
      expect((err as Error).message).toMatch(/^mine\.yaml:11:\d+: \/cars\/0\/timeline\/2\/operator/);
      return;
    }
    throw new Error('not rejected');
  });

  it('durations: 1m30s, 500ms, plain numbers', () => {
    expect(durationMs('1m30s')).toBe(90_000);
    expect(durationMs('500ms')).toBe(500);
    expect(durationMs(250)).toBe(250);
    expect(durationMs('1h')).toBe(3_600_000);
  });
});
