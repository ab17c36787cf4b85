import { Command } from 'commander';
import { addChaosOptions, plan, type ChaosCliOptions } from './options.js';
import { abortSuite, runSuite } from './suite.js';

// `npm run chaos [-- --quick]`: the "no acknowledged emergency event lost" suite (qa/chaos/README.md).
// Ctrl-C: tear down the run in progress (bounded), then exit; the exit hook kills any child left.
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(130);
    stopping = true;
    console.error(`\nchaos: ${signal}, tearing down…`);
    void abortSuite(signal).finally(() => process.exit(130));
  });
}

const program = addChaosOptions(
  new Command('chaos').description('Faults under load, counted: every acknowledged airbag event must have exactly one case (qa/chaos/README.md)'),
);
// A usage error (unknown mode or fault, bad number) exits 2, apart from a run that failed (1).
program.exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2));
program.action(async (o: ChaosCliOptions) => {
  const { result } = await runSuite(plan(o), { argv: process.argv.slice(2), label: o.label, quick: o.quick === true, out: o.out, json: o.json, log: (l) => console.log(l) });
  process.exitCode = result.ok ? 0 : 1;
});
await program.parseAsync(process.argv);
// MQTT sockets and timers must not keep a finished run alive.
process.stdout.write('', () => process.exit(process.exitCode ?? 0));
