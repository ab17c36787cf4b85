import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runBench, type BenchResult } from '../../bench/run.js';

/**
 * Issue 6: the quick bench runs in CI. It starts every mode for real (embedded, embedded + Redis,
 * Mosquitto + two service processes + Redis), writes its JSON, and loses nothing. No timing assertion:
 * CI machines are too noisy for that; the figures are for people (bench/README.md).
 */
describe('npm run bench -- --quick', () => {
  let dir: string | undefined;
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('writes the JSON and the Markdown table, every mode ran, nothing was lost', async () => {
    dir = await mkdtemp(join(tmpdir(), 'anshin-bench-quick-'));
    const { result, markdown, jsonPath } = await runBench({ quick: true, outDir: dir, log: () => {} });

    expect((await readdir(dir)).filter((f) => f.endsWith('.json'))).toEqual([jsonPath.split('/').pop()]);
    const written = JSON.parse(await readFile(jsonPath, 'utf8')) as BenchResult;
    expect(written.kind).toBe('anshin-bench');
    expect(written.quick).toBe(true);
    expect(written.modes.map((m) => m.mode)).toEqual(['embedded', 'embedded-redis', 'mosquitto-1x-redis', 'mosquitto-2x-redis']);
    for (const m of written.modes) {
      expect(m.error, m.mode).toBeUndefined();
      expect(m.ok, m.mode).toBe(true);
      expect(m.connect!.connected, m.mode).toBe(written.params.cars);
      expect(m.steady!.crashes, m.mode).toBeGreaterThan(0);
      expect(m.steady!.lost, m.mode).toBe(0);
      expect(m.steady!.latency.count, m.mode).toBe(m.steady!.crashes);
      expect(m.storm!.crashes, m.mode).toBe(written.params.stormSize);
      expect(m.storm!.lost, m.mode).toBe(0);
      // Issue 15: the unpaced burst, every case on the feed once (timing fields present, not judged).
      const burst = m.burst!;
      expect(burst.crashes, m.mode).toBe(written.params.burstSize);
      expect(burst.lost, m.mode).toBe(0);
      expect(burst.duplicated, m.mode).toBe(0);
      for (const k of ['publishSpanMs', 'allOnFeedMs', 'casesPerSec', 'vsFloorThroughput'] as const) expect(typeof burst[k], `${m.mode} burst.${k}`).toBe('number');
      expect(m.floor!.idle.lost, m.mode).toBe(0);
      expect(m.floor!.throughput.lost, m.mode).toBe(0);
      expect(m.memory!.rssAfterMb, m.mode).toBeGreaterThan(0);
    }
    expect(written.lost).toBe(0);
    expect(['ok', 'skipped']).toContain(written.replay.status);
    // The targets of bench/targets.ts, issue 15's among them (their verdicts: tests/unit/bench-verdicts.test.ts).
    expect(written.targets.length).toBe(10);
    expect(written.targets.some((t) => t.target.startsWith('burst of 10,000'))).toBe(true);
    expect(markdown).toContain('| steady crash-to-feed p99 |');
    expect(markdown).toContain('| burst lost / duplicated |');
    expect(await readFile(join(dir, 'latest-quick.md'), 'utf8')).toBe(markdown);
    expect(result.lost).toBe(0);
  }, 240_000); // a loaded shared machine: the three modes with their bursts have taken over 120 s
});
