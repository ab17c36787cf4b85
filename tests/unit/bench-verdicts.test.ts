import { describe, expect, it } from 'vitest';
import type { BenchResult } from '../../bench/run.js';
import { evaluateTargets } from '../../bench/targets.js';

/** A result with only what the verdicts read; `cars` and `crashes` set the size of the run. */
function result(cars: number, crashes: number, p99Ms: number, lost = 0, burst = { crashes: cars, vsFloorThroughput: 0.3, casesPerSec: 2_500, lost: 0, duplicated: 0 }): BenchResult {
  return {
    params: { cars },
    modes: [
      { mode: 'embedded', steady: { carsConnected: cars, telemetryPerSec: cars, latency: { p99Ms }, p50VsFloor: 1, p50VsIdleFloor: 2 }, storm: { crashes, lost, allOnFeedMs: 900 }, burst, memory: { perCarKb: 27 } },
      { mode: 'embedded-redis', steady: { latency: { p99Ms: 80 } }, burst: { ...burst, casesPerSec: 1_500 }, memory: { perCarKb: 41 } },
    ],
    replay: { status: 'ok', eventsPerSec: 50_000 },
  } as unknown as BenchResult;
}

const status = (r: BenchResult) => Object.fromEntries(evaluateTargets(r).map((t) => [t.target.split(' ')[0], t.status]));

describe('bench verdicts', () => {
  it('a quick-sized run (200 cars, 100 crashes) does not judge the size-bound targets: "not measured at this size", never "missed"', () => {
    expect(status(result(200, 100, 500))).toEqual({
      '10,000': 'not measured at this size',
      'crash-to-feed': 'not measured at this size',
      '1,000-crash': 'not measured at this size',
      pipeline: 'met',
      burst: 'not measured at this size',
      'Redis:': 'not measured at this size',
      memory: 'not measured at this size',
      two: 'not measured',
      replay: 'met',
    });
  });

  it('a lost case is missed at any size', () => {
    expect(status(result(200, 100, 5, 1))['1,000-crash']).toBe('missed');
  });

  it('a full-sized run is judged: met and missed', () => {
    expect(status(result(10_000, 1000, 118))).toMatchObject({ '10,000': 'met', 'crash-to-feed': 'missed', '1,000-crash': 'met' });
  });

  it('issue 15: the burst is judged on its share of the floor (embedded) and cases/s (Redis); memory on the worst mode; a lost or duplicated case misses at any size', () => {
    const checks = evaluateTargets(result(10_000, 1000, 40));
    const verdict = (start: string) => checks.find((c) => c.target.startsWith(start))!;
    expect(verdict('burst').status).toBe('met');
    expect(verdict('Redis: burst').status).toBe('missed');
    expect(verdict('Redis: steady').status).toBe('met');
    expect(verdict('memory')).toMatchObject({ status: 'missed', measured: 'embedded 27 KB, embedded-redis 41 KB' });
    const lossy = evaluateTargets(result(200, 100, 5, 0, { crashes: 100, vsFloorThroughput: 0.5, casesPerSec: 3_000, lost: 0, duplicated: 1 }));
    expect(lossy.find((c) => c.target.startsWith('burst'))!.status).toBe('missed');
  });

  it('issue 15: two Mosquitto instances against one, on the burst in the same run', () => {
    const withMosquitto = (oneCasesPerSec: number, twoCasesPerSec: number, crashes = 10_000) => {
      const r = result(10_000, 1000, 40);
      const burst = (casesPerSec: number) => ({ crashes, vsFloorThroughput: 0.05, casesPerSec, lost: 0, duplicated: 0 });
      r.modes.push({ mode: 'mosquitto-1x-redis', burst: burst(oneCasesPerSec) } as never, { mode: 'mosquitto-2x-redis', burst: burst(twoCasesPerSec) } as never);
      return evaluateTargets(r).find((c) => c.target.startsWith('two instances'))!;
    };
    expect(withMosquitto(500, 850)).toMatchObject({ status: 'met', measured: '850 against 500 cases/s = 1.70x; lost 0, duplicated 0' });
    expect(withMosquitto(500, 700).status).toBe('missed');
    expect(withMosquitto(50, 100, 100).status).toBe('not measured at this size');
    expect(evaluateTargets(result(10_000, 1000, 40)).find((c) => c.target.startsWith('two instances'))!.status).toBe('not measured');
  });
});
