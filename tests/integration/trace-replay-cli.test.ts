import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { runCli, type CliResult } from '../helpers/sim-cli.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';

/**
 * `anshin trace replay` as a user runs it: the real CLI in a child process (bin/anshin.js), so the
 * process must stay alive through paced waits on the wall clock and exit by itself when done
 * (lib/clock/clock.ts, "Keeping a process alive"; a wait that did not keep it alive ended the
 * process with Node's exit code 13 and no output). In-process replays: trace-fixtures.test.ts.
 */
const DIR = resolve(import.meta.dirname, '../fixtures/traces');
const OUT = mkdtempSync(join(tmpdir(), 'anshin-replay-cli-'));
const trace = (name: string) => join(DIR, `${name}.ndjson`);
const golden = (name: string) => join(DIR, `${name}.golden.json`);

const FIXTURES = readdirSync(DIR)
  .filter((f) => f.endsWith('.ndjson'))
  .map((f) => f.replace(/\.ndjson$/, ''))
  .sort();

/**
 * Paced runs, all at once (they mostly wait; the longest takes ~12 s of wall time). The fixtures are the
 * YAML scenarios' own timelines (seconds; tests/fixtures/traces/README.md): lockout-expiry and
 * impact-below-threshold at --speed 1, the storm at --speed 1 (8,000 lines in real time),
 * power-off-during-call at --speed 10; in every one the expiries after the last line (LOCKOUT_MINUTES
 * + 1 min) are virtual at any speed. accidental-sos runs paced in the mismatch test. The rest only at
 * --speed max here: each paced run is one more CLI start (2-3 s of CPU on a loaded 2-core machine) and
 * would show nothing new.
 */
const PACED: { name: string; speed: number; /** trace seconds up to the last line fed (an `in` line) */ spanS: number }[] = [
  { name: 'impact-below-threshold', speed: 1, spanS: 8 },
  { name: 'power-off-during-call', speed: 10, spanS: 5 },
  { name: 'earthquake-storm', speed: 1, spanS: 2.9 },
  { name: 'lockout-expiry', speed: 1, spanS: 12 },
];

/** At most `n` at a time: a CLI start is mostly CPU (tsx, loading the service) and the machine has 2 cores. */
function limiter(n: number): <T>(job: () => Promise<T>) => Promise<T> {
  let running = 0;
  const queue: (() => void)[] = [];
  return async (job) => {
    if (running >= n) await new Promise<void>((r) => queue.push(r));
    running++;
    try {
      return await job();
    } finally {
      running--;
      queue.shift()?.();
    }
  };
}
const cpuBound = limiter(3);

/** One `--speed max` run per fixture, shared by the tests that compare against its output file. */
const maxRuns = new Map<string, Promise<CliResult>>();
function maxRun(name: string): Promise<CliResult> {
  let run = maxRuns.get(name);
  if (!run) {
    run = cpuBound(() => runCli(['trace', 'replay', trace(name), '--speed', 'max', '--out', join(OUT, `${name}.max.json`), '--expect', golden(name)]));
    maxRuns.set(name, run);
  }
  return run;
}

/** The replay's own wall time, from its summary line (`... in 3.61 s (...)`). */
function replaySeconds(stdout: string): number {
  const m = / in (\d+\.\d+) s \(/.exec(stdout);
  if (!m) throw new Error(`no replay time in ${JSON.stringify(stdout)}`);
  return Number(m[1]);
}

const read = (file: string) => readFileSync(file);

describe.concurrent('anshin trace replay from the command line', () => {
  it('there are fixtures to replay, and the paced ones are among them', ({ expect }) => {
    expect(FIXTURES.length).toBeGreaterThanOrEqual(9);
    for (const { name } of PACED) expect(FIXTURES).toContain(name);
  });

  it('--speed max --expect: every fixture exits 0, says the outcome matches, and writes its golden byte for byte', async ({ expect }) => {
    const runs = await Promise.all(FIXTURES.map(async (name) => ({ name, r: await maxRun(name) })));
    for (const { name, r } of runs) {
      expect(r.stderr, name).toBe('');
      expect(r.code, name).toBe(0);
      expect(r.stdout, name).toMatch(new RegExp(`-> .*${name}\\.max\\.json\\noutcome matches .*${name}\\.golden\\.json\\n$`));
      expect(read(join(OUT, `${name}.max.json`)).equals(read(golden(name))), `${name}: --out differs from the golden`).toBe(true);
    }
  }, 180_000);

  it('paced (--speed 10, 1, ...): waits trace time / speed, exits 0 by itself, and writes the same bytes as --speed max', async ({ expect }) => {
    const runs = await Promise.all(
      PACED.map(async ({ name, speed, spanS }) => {
        const out = join(OUT, `${name}.x${speed}.json`);
        const r = await runCli(['trace', 'replay', trace(name), '--speed', String(speed), '--out', out, '--expect', golden(name)]);
        return { name, speed, spanS, out, r };
      }),
    );
    for (const { name, speed, spanS, out, r } of runs) {
      const label = `${name} --speed ${speed}`;
      expect(r.stderr, label).toBe('');
      expect(r.code, label).toBe(0);
      expect(r.stdout, label).toMatch(/\noutcome matches /);
      // Paced for real: the last line is fed no sooner than its trace time / speed (less a few ms: a timer
      // may fire a little early against Date.now, and the summary rounds).
      expect(replaySeconds(r.stdout), label).toBeGreaterThanOrEqual(spanS / speed - 0.05);
      expect((await maxRun(name)).code, `${name} --speed max`).toBe(0);
      expect(read(out).equals(read(join(OUT, `${name}.max.json`))), `${label}: output differs from --speed max`).toBe(true);
    }
  }, 180_000);

  it('a paced replay whose outcome differs from --expect exits 1, prints the difference, and still writes --out', async ({ expect }) => {
    const name = 'accidental-sos';
    const wrong = JSON.parse(readFileSync(golden(name), 'utf8')) as { cases: { priority: number }[] };
    const priority = wrong.cases[0]!.priority;
    wrong.cases[0]!.priority = priority + 1;
    const expectFile = join(OUT, 'wrong.golden.json');
    writeFileSync(expectFile, JSON.stringify(wrong));
    const out = join(OUT, `${name}.wrong.json`);
    const r = await runCli(['trace', 'replay', trace(name), '--speed', '10', '--out', out, '--expect', expectFile]);
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n').slice(1)).toEqual([`cases[0].priority: expected ${priority + 1}, got ${priority}`, '']);
    expect(r.stderr).toBe(`error: outcome differs from ${expectFile}: 1 difference(s)\n`);
    expect(read(out).equals(read(golden(name)))).toBe(true); // the --speed max output (test above)
  }, 180_000);

  describe('--url against a running stack', () => {
    let stack: TestStack;
    beforeAll(async () => {
      stack = await startTestStack();
    });
    afterAll(async () => {
      await stack?.close();
    });

    it('--loop 2 prints each loop\'s counts and the running totals', async ({ expect }) => {
      const r = await runCli(['trace', 'replay', trace('sos-illness'), '--url', stack.mqttUrl, '--http-url', stack.httpUrl, '--loop', '2']);
      expect(r.code, r.stderr).toBe(0);
      const loops = r.stderr.split('\n').filter((l) => l.startsWith('loop '));
      expect(loops).toEqual([
        'loop 1/2: 24 published, operator actions 5 ok / 0 failed (in all: 24 published, 5 ok / 0 failed)',
        'loop 2/2: 24 published, operator actions 5 ok / 0 failed (in all: 48 published, 10 ok / 0 failed)',
      ]);
      expect(r.stdout).toBe(`2 loop(s): 48 messages published to ${stack.mqttUrl}; operator actions 10 ok, 0 failed\n`);
    }, 180_000);
  });
});
