import type { BenchCliOptions } from './options.js';
import { runBench } from './run.js';

/** Runs the bench and prints the Markdown table; exit code 1 when a case was lost or a mode failed. */
export async function benchAction(o: BenchCliOptions): Promise<number> {
  const { result, markdown, jsonPath } = await runBench({
    quick: o.quick ?? false,
    ...(o.cars ? { cars: o.cars } : {}),
    ...(o.steady ? { steadySeconds: o.steady } : {}),
    ...(o.burst ? { burst: o.burst } : {}),
    ...(o.modes ? { modes: o.modes } : {}),
    replay: o.replay,
    ...(o.out ? { outDir: o.out } : {}),
    writeLatest: o.latest ?? false,
    cpuProf: o.cpuProf ?? false,
  });
  process.stdout.write(`${markdown}\nresults: ${jsonPath}\n`);
  return result.lost === 0 && result.modes.every((m) => m.ok && !m.burst?.duplicated) ? 0 : 1;
}
