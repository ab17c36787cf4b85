import type { Command } from 'commander';
import type { ChaosCliOptions } from '../qa/chaos/options.js';
import { defineWhenUsed } from './lazy.js';

/** `anshin chaos` (`npm run chaos`): the "no acknowledged emergency event lost" suite of qa/chaos/, loaded only when it runs. */
export function registerChaos(program: Command): void {
  defineWhenUsed(program.command('chaos').description('faults under load, counted: every acknowledged airbag event must have exactly one case (qa/chaos/README.md)'), async () => {
    const { addChaosOptions, plan } = await import('../qa/chaos/options.js');
    return (cmd) =>
      addChaosOptions(cmd).action(async (o: ChaosCliOptions) => {
        const { abortSuite, runSuite } = await import('../qa/chaos/suite.js');
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
        const argv = process.argv.slice(process.argv.indexOf('chaos') + 1);
        const { result } = await runSuite(plan(o), { argv, label: o.label, quick: o.quick === true, out: o.out, json: o.json, latest: o.latest === true, log: (l) => console.log(l) });
        process.exitCode = result.ok ? 0 : 1;
      });
  });
}
