import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { recordFixture } from '../../qa/trace/record-fixtures.js';

/**
 * Recording a fixture (`anshin trace fixtures`): the YAML scenario run by the scenario runner against a
 * real embedded stack on a virtual clock. The same YAML gives the same bytes, whatever the machine's
 * load, and a scenario whose own expectations fail gives no fixture.
 */
const FIXTURES = resolve(import.meta.dirname, '../fixtures/traces');
/** The header names the project version; a release must not make every fixture stale. */
const withoutProject = (ndjson: string) => ndjson.replace(/"project":\{[^}]*\},/, '');

describe('recording trace fixtures from the YAML scenarios', () => {
  it('lockout-expiry (its own LOCKOUT_MINUTES, HTTP steps, an expiry on the virtual clock): twice the same bytes, and the committed fixture', async () => {
    const [a, b] = [mkdtempSync(join(tmpdir(), 'anshin-fx-')), mkdtempSync(join(tmpdir(), 'anshin-fx-'))];
    const first = await recordFixture('lockout-expiry', a);
    const second = await recordFixture('lockout-expiry', b);
    expect([first.report.passed, second.report.passed, first.report.warnings]).toEqual([true, true, []]);
    const read = (dir: string, file: string) => readFileSync(join(dir, file), 'utf8');
    for (const file of ['lockout-expiry.ndjson', 'lockout-expiry.golden.json']) {
      expect(read(b, file), file).toBe(read(a, file));
      expect(withoutProject(read(a, file)), `${file} differs from the committed one: re-record it (npx anshin trace fixtures lockout-expiry)`).toBe(withoutProject(read(FIXTURES, file)));
    }
    const header = JSON.parse(read(a, 'lockout-expiry.ndjson').split('\n')[0]!) as { config: { LOCKOUT_MINUTES: number } };
    expect(header.config.LOCKOUT_MINUTES).toBe(0.1); // the scenario's config block, applied to the stack
  }, 60_000);

  it('a scenario whose own expectations fail is not recorded', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'anshin-fx-'));
    const file = join(dir, 'never.yaml');
    writeFileSync(file, 'name: never\ndescription: a knock below the threshold never opens a case\ncars:\n  - id: a\n    timeline:\n      - at: 1s\n        impact: { deltaVKmh: 3 }\n      - at: 1s\n        expect: { case: { trigger: impact }, within: 2s }\n');
    await expect(recordFixture(file, dir)).rejects.toThrow(/never: the scenario's own expectations failed in the recording\n[\s\S]*FAIL/);
  }, 60_000);
});
