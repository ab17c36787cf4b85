import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_DIR } from '../../simulator/scenario/load.js';
import { canonicalJson } from '../../qa/trace/canonical.js';
import { diffJson, formatDiff } from '../../qa/trace/diff.js';
import { readTraceFile } from '../../qa/trace/reader.js';
import { replayTrace } from '../../qa/trace/replay.js';
import { runCli } from '../helpers/sim-cli.js';

/**
 * The QA regression suite: every recorded fixture replays (speed max, in process, virtual clock) to
 * exactly its golden outcome. Re-record with `anshin trace fixtures` (tests/fixtures/traces/README.md).
 */
const DIR = resolve(import.meta.dirname, '../fixtures/traces');
/** Every scenario the simulator ships: each must have its recorded trace and golden outcome here. */
const SCENARIOS = readdirSync(BUILT_IN_DIR)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => f.replace(/\.yaml$/, ''))
  .sort();

describe('trace fixtures replay to their golden outcomes', () => {
  it('there is one trace and one golden per built-in scenario', () => {
    expect(SCENARIOS).toHaveLength(9);
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
    }, 60_000);
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
  }, 90_000);

  it('the CLI: a bad trace file exits 2 with the file and line; a truncated last line warns, and fails with --strict', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'anshin-bad-'));
    const lines = readFileSync(join(DIR, 'sos-illness.ndjson'), 'utf8').trimEnd().split('\n');
    const bad = join(dir, 'run.ndjson');
    writeFileSync(bad, [...lines.slice(0, 16), lines[16]!.replace('"kind":"mqtt"', '"kind":"mqtt","colour":"red"'), ...lines.slice(17)].join('\n') + '\n');
    const r = await runCli(['trace', 'replay', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error: run.ndjson:17: bad mqtt line: unknown field "colour"\n');

    const cut = join(dir, 'cut.ndjson');
    writeFileSync(cut, `${lines.join('\n')}\n${lines[5]!.slice(0, 30)}`);
    const warned = await runCli(['trace', 'replay', cut]);
    expect(warned.code).toBe(0);
    expect(warned.stderr).toBe(`warning: cut.ndjson:${lines.length + 1}: truncated last line ignored (a recorder stopped mid-write; --strict makes this an error)\n`);
    const strict = await runCli(['trace', 'replay', cut, '--strict']);
    expect(strict.code).toBe(2);
    expect(strict.stderr).toBe(`error: cut.ndjson:${lines.length + 1}: truncated last line (no newline, not valid JSON)\n`);
  }, 90_000);
});
