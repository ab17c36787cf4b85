import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SystemClock } from '../../lib/clock/index.js';
import { startStack, type Stack } from '../../services/stack.js';
import { formatReport, loadScenario, runScenario } from '../../simulator/scenario/index.js';

/**
 * Issue 12 part 8: the scenarios of the operator's work (D4.2, D4.3, D4.6, one call at a time) against
 * the real backend (startStack: embedded aedes, incident service, HTTP), as `anshin sim run` runs them.
 */
let stack: Stack;
const clock = new SystemClock();

beforeAll(async () => {
  stack = await startStack({ config: { HTTP_PORT: 0, MQTT_PORT: 0, LOG_LEVEL: 'silent' }, env: {}, console: false });
});
afterAll(async () => {
  await stack?.close();
});

describe('issue 12 part 8: dispatch scenarios against the real stack', () => {
  it.each([
    ['sos-then-crash', 'one call at a time: the airbag joins the SOS case, priority 1'],
    ['near-side-crash-no-response', 'D4.2, D4.3: no response sends fire, police and the doctor helicopter'],
    ['breakdown-service-car', 'D4.6: the owner is told once, the link tracks the service car, its ETA falls, then ends'],
  ])('%s: %s', async (name) => {
    const report = await runScenario({ scenario: (await loadScenario(name)).scenario, url: stack.mqttUrl, httpUrl: stack.httpUrl, clock, seed: 4242 });
    expect(report.passed, formatReport(report)).toBe(true);
  }, 90_000);
});
