import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SystemClock } from '../../lib/clock/index.js';
import { startStack, type Stack } from '../../services/stack.js';
import { formatReport, loadScenario, runScenario } from '../../simulator/scenario/index.js';
import { runCli } from '../helpers/sim-cli.js';

/**
 * The built-in scenarios against the real backend (startStack: embedded aedes, incident service, HTTP),
 * with LOCKOUT_MINUTES=0.1 so that lockout-expiry runs in seconds (D3.5).
 */
let stack: Stack;
const clock = new SystemClock();

beforeAll(async () => {
  stack = await startStack({ config: { HTTP_PORT: 0, MQTT_PORT: 0, LOCKOUT_MINUTES: 0.1, LOG_LEVEL: 'silent' }, env: {}, console: false });
});
afterAll(async () => {
  await stack?.close();
});

const CAR_SCENARIOS = [
  'highway-airbag-no-response',
  'sos-illness',
  'accidental-sos',
  'trouble-battery-tow',
  'impact-below-threshold',
  'power-off-during-call',
  'trouble-during-lockout',
  'lockout-expiry',
];

describe('built-in scenarios against the real stack', () => {
  it('D1-D3: every single-car scenario passes (run side by side, each with its own VINs)', async () => {
    const reports = await Promise.all(
      CAR_SCENARIOS.map(async (name, i) => runScenario({ scenario: (await loadScenario(name)).scenario, url: stack.mqttUrl, httpUrl: stack.httpUrl, clock, seed: 1000 + i })),
    );
    const failed = reports.filter((r) => !r.passed);
    expect(failed.map(formatReport).join('\n')).toBe('');
    expect(reports.map((r) => r.steps.length).reduce((a, b) => a + b)).toBeGreaterThan(80);
  }, 90_000);

  it('earthquake-storm: 1,000 crashes within a second, all acknowledged, 1,000 cases open', async () => {
    const report = await runScenario({ scenario: (await loadScenario('earthquake-storm')).scenario, url: stack.mqttUrl, httpUrl: stack.httpUrl, clock, seed: 7 });
    expect(report.passed, formatReport(report)).toBe(true);
  }, 120_000);

  it('anshin sim run: prints the report and exits 0; a failing expectation exits 1', async () => {
    const r = await runCli(['sim', 'run', 'power-off-during-call', '--url', stack.mqttUrl, '--http-url', stack.httpUrl, '--seed', '5']);
    expect(r.stdout).toMatch(/scenario power-off-during-call \(seed 5\): PASSED/);
    expect(r.code).toBe(0);

    const dir = mkdtempSync(path.join(tmpdir(), 'sim-'));
    const file = path.join(dir, 'never.yaml');
    writeFileSync(file, 'name: never\ndescription: a below-threshold knock never opens a case\ncars:\n  - id: a\n    timeline:\n      - at: 0s\n        impact: { deltaVKmh: 3 }\n      - at: 0s\n        expect: { case: { trigger: impact }, within: 1s }\n');
    const bad = await runCli(['sim', 'run', file, '--url', stack.mqttUrl, '--http-url', stack.httpUrl]);
    expect(bad.stdout).toMatch(/FAILED/);
    expect(bad.code).toBe(1);
  }, 60_000);

  it('anshin sim run with an invalid file: exit 2 and the line of the error', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sim-'));
    const file = path.join(dir, 'typo.yaml');
    writeFileSync(file, 'name: typo\ndescription: x\ncars:\n  - id: a\n    timeline:\n      - at: 1s\n        airbg: true\n');
    const r = await runCli(['sim', 'run', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/typo\.yaml:7:9: \/cars\/0\/timeline\/0\/airbg: Unexpected property/);
  });
});
