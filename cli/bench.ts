import type { Command } from 'commander';
import type { BenchCliOptions } from '../bench/options.js';
import { defineWhenUsed } from './lazy.js';

/** `anshin bench` (`npm run bench`): the benchmarks of bench/ (bench/README.md), loaded only when it runs. */
export function registerBench(program: Command): void {
  defineWhenUsed(program.command('bench').description('benchmark the stack: crash-to-feed latency under load, a 1,000-crash storm, the broker floor, memory per car, trace replay'), async () => {
    const { addBenchOptions } = await import('../bench/options.js');
    return (cmd) =>
      addBenchOptions(cmd).action(async (o: BenchCliOptions) => {
        // Ctrl-C: exit, so that the exit hooks kill the brokers, redis-servers and services the bench started.
        for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
        const { benchAction } = await import('../bench/action.js');
        process.exitCode = await benchAction(o);
        if (process.exitCode !== 0) process.stderr.write('bench: a case was lost or a mode failed (see the table)\n');
      });
  });
}
