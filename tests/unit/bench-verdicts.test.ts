import { describe, expect, it } from 'vitest';
import type { BenchResult } from '../../bench/run.js';
import { evaluateTargets } from '../../bench/targets.js';

/** A result with only what the verdicts read; `cars` and `crashes` set the size of the run. */
function result(cars: number, crashes: number, p99Ms: number, lost = 0): BenchResult {
  return {
    params: { cars },
    modes: [{ mode: 'embedded', steady: { carsConnected: cars, telemetryPerSec: cars, latency: { p99Ms }, p50VsFloor: 1, p50VsIdleFloor: 2 }, storm: { crashes, lost, allOnFeedMs: 900 } }],
    replay: { status: 'ok', eventsPerSec: 50_000 },
  } as unknown as BenchResult;
}

const status = (r: BenchResult) => Object.fromEntries(evaluateTargets(r).map((t) => [t.target.split(' ')[0], t.status]));

describe('bench verdicts', () => {
  it('a quick-sized run (200 cars, 100 crashes) does not judge the size-bound targets: "not measured at this size", never "missed"', () => {
    expect(status(result(200, 100, 500))).toEqual({ '10,000': 'not measured at this size', 'crash-to-feed': 'not measured at this size', '1,000-crash': 'not measured at this size', pipeline: 'met', replay: 'met' });
  });

  it('a lost case is missed at any size', () => {
    expect(status(result(200, 100, 5, 1))['1,000-crash']).toBe('missed');
  });

  it('a full-sized run is judged: met and missed', () => {
    expect(status(result(10_000, 1000, 118))).toMatchObject({ '10,000': 'met', 'crash-to-feed': 'missed', '1,000-crash': 'met' });
  });
});
