import { Command } from 'commander';
import { benchAction } from './action.js';
import { addBenchOptions, type BenchCliOptions } from './options.js';

// `npm run bench [-- --quick]`: the same command as `anshin bench`.
// Ctrl-C: exit, so that the exit hooks kill the brokers, redis-servers and services the bench started.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

const program = addBenchOptions(new Command('bench').description('anshin benchmarks: steady, storm, floor, memory, replay (bench/README.md)'));
program.action(async (o: BenchCliOptions) => {
  process.exitCode = await benchAction(o);
});
await program.parseAsync(process.argv);
// MQTT sockets and timers must not keep a finished run alive.
process.stdout.write('', () => process.exit(process.exitCode ?? 0));
