import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../simulator/trace/canonical.js';
import { diffJson, formatDiff } from '../../simulator/trace/diff.js';
import { readTraceFile } from '../../simulator/trace/reader.js';
import { replayTrace } from '../../simulator/trace/replay.js';
import { runCli } from '../helpers/sim-cli.js';

/**
 * The QA regression suite: every recorded fixture replays (speed max, in process, virtual clock) to
 * exactly its golden outcome. Re-record with `anshin trace fixtures` (tests/fixtures/traces/README.md).
 */
const DIR = resolve(import.meta.dirname, '../fixtures/traces');
const SCENARIOS = [
  'highway-airbag-no-response',
  'sos-illness',
  'accidental-sos',
  'trouble-battery-tow',
  'impact-below-threshold',
  'power-off-during-call',
  'trouble-during-lockout',
  'lockout-expiry',
  'earthquake-storm',
];

describe('trace fixtures replay to their golden outcomes', () => {
  it('there is one trace and one golden per built-in scenario', () => {
    const files = readdirSync(DIR);
    for (const s of SCENARIOS) {
      expect(files).toContain(`${s}.ndjson`);
      expect(files).toContain(`${s}.golden.json`);
    }
  });

  for (const scenario of SCENARIOS) {
    it(`${scenario}`, async () => {
      const trace = await readTraceFile(join(DIR, `${scenario}.ndjson`), { strict: true });
      const { outcome } = await replayTrace(trace, { speed: 'max' });
      const golden = readFileSync(join(DIR, `${scenario}.golden.json`), 'utf8');
      const diff = diffJson(JSON.parse(golden), JSON.parse(canonicalJson(outcome)));
      expect(formatDiff(diff), `${scenario}: outcome differs from its golden`).toBe('');
      expect(canonicalJson(outcome)).toBe(golden);
    });
  }

  it('the CLI: --expect exits 0 when equal, 1 with a path-by-path diff when not', async () => {
    const ok = await runCli(['trace', 'replay', join(DIR, 'trouble-during-lockout.ndjson'), '--speed', 'max', '--expect', join(DIR, 'trouble-during-lockout.golden.json')]);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/outcome matches/);

    const wrong = await runCli(['trace', 'replay', join(DIR, 'trouble-during-lockout.ndjson'), '--expect', join(DIR, 'sos-illness.golden.json')]);
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toMatch(/^cases\[0\]\.trigger: expected "sos", got "impact"$/m);
    expect(wrong.stderr).toMatch(/outcome differs from .*sos-illness\.golden\.json: \d+ difference\(s\)/);
  });
});
