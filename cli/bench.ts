import type { Command } from 'commander';
import { addBenchOptions, type BenchCliOptions } from '../bench/options.js';

/** `anshin bench`: the benchmarks of bench/ (bench/README.md); the bench code loads only when it runs. */
export function registerBench(program: Command): void {
  addBenchOptions(program.command('bench').description('benchmark the stack: crash-to-feed latency under load, a 1,000-crash storm, the broker floor, memory per car, trace replay')).action(
    async (o: BenchCliOptions) => {
      const { benchAction } = await import('../bench/action.js');
      const code = await benchAction(o);
      if (code !== 0) throw new Error('bench: a case was lost or a mode failed (see the table)');
    },
  );
}
