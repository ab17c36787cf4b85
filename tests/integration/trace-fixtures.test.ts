import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../services/config.js';
import { BUILT_IN_DIR, loadScenario } from '../../simulator/scenario/index.js';
import { canonicalJson } from '../../qa/trace/canonical.js';
import { diffJson, formatDiff } from '../../qa/trace/diff.js';
import { pickTraceConfig } from '../../qa/trace/lines.js';
import { readTraceFile } from '../../qa/trace/reader.js';
import { SOURCES_FILE, scenarioDigest } from '../../qa/trace/record-fixtures.js';
import { replayTrace } from '../../qa/trace/replay.js';
import { runCli } from '../helpers/sim-cli.js';

/**
 * The QA regression suite: every recorded fixture replays (speed max, in process, virtual clock) to
 * exactly its golden outcome. The scenarios are the YAML files the simulator ships, and nothing else:
 * each must have its fixture, recorded from it as it is now, and each fixture its scenario. Re-record
 * with `anshin trace fixtures` (tests/fixtures/traces/README.md).
 */
const DIR = resolve(import.meta.dirname, '../fixtures/traces');
const SCENARIOS = readdirSync(BUILT_IN_DIR)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => f.replace(/\.yaml$/, ''))
  .sort();
const RERECORD = (name: string) => `re-record it: npx anshin trace fixtures ${name}`;

describe('trace fixtures replay to their golden outcomes', () => {
  it('one trace and one golden per built-in scenario, and no fixture without its scenario', () => {
    expect(SCENARIOS.length).toBeGreaterThan(0);
    const files = readdirSync(DIR).filter((f) => f !== 'README.md' && f !== SOURCES_FILE);
    const expected = SCENARIOS.flatMap((s) => [`${s}.golden.json`, `${s}.ndjson`]);
    expect(expected.filter((f) => !files.includes(f)), 'scenarios without a recorded fixture (npx anshin trace fixtures <name>)').toEqual([]);
    expect(files.filter((f) => !expected.includes(f)), 'fixtures without a scenario in simulator/scenarios/ (delete them)').toEqual([]);
    const sources = JSON.parse(readFileSync(join(DIR, SOURCES_FILE), 'utf8')) as Record<string, string>;
    expect(Object.keys(sources).sort()).toEqual(SCENARIOS);
  });

  it('each fixture was recorded from its scenario as the YAML says now, with its config, on the virtual clock', async () => {
    const sources = JSON.parse(readFileSync(join(DIR, SOURCES_FILE), 'utf8')) as Record<string, string>;
    for (const name of SCENARIOS) {
      const { scenario } = await loadScenario(name);
      expect(sources[name], `${name}.yaml changed since its fixture was recorded: ${RERECORD(name)}`).toBe(scenarioDigest(scenario));
      const { header } = await readTraceFile(join(DIR, `${name}.ndjson`), { strict: true });
      expect(header.source, name).toEqual({ kind: 'embedded', clock: 'virtual', scenario: name });
      expect(header.config, `${name}: the trace's config is not the scenario's: ${RERECORD(name)}`).toEqual(pickTraceConfig(loadConfig({}, { ...scenario.config })));
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
    expect(wrong.stdout).toMatch(/^cases\[0\]\.trigger: expected "sos", got "airbag"$/m);
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
