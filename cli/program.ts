import { Command, CommanderError } from 'commander';
import { EXIT, UsageError } from './errors.js';
import { registerBench } from './bench.js';
import { registerChaos } from './chaos.js';
import { registerCoverage } from './coverage.js';
import { defineSubcommand } from './lazy.js';
import { registerMailGateway } from './mail-gateway.js';
import { registerServe } from './serve.js';
import { registerSim } from './sim.js';
import { registerTrace } from './trace.js';

/**
 * `anshin`: one program, subcommands added by registrars. A registrar imports commander and nothing
 * heavy: it names its command and hands `defineWhenUsed` (lazy.ts) a loader for the rest, and each
 * action imports what it runs. To add one: export `registerX(program: Command)` and list it here.
 */
const REGISTRARS: ((program: Command) => void)[] = [registerServe, registerSim, registerTrace, registerBench, registerChaos, registerCoverage, registerMailGateway];

export function buildProgram(): Command {
  const program = new Command('anshin').description('anshin emergency-call backend tools').exitOverride();
  program.configureOutput({ outputError: (str, write) => write(str) });
  program.hook('preSubcommand', defineSubcommand);
  for (const register of REGISTRARS) register(program);
  // commander's own `help <command>` prints the help without running the hook that defines the command.
  program.helpCommand(false);
  program
    .command('help [command...]')
    .description('display help for command')
    .action(async (names: string[]) => {
      await buildProgram().parseAsync([...names, '--help'], { from: 'user' });
    });
  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version exit 0; every commander parse error is a usage error.
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (err instanceof UsageError) {
      process.stderr.write(`error: ${err.message}\n`);
      return EXIT.usage;
    }
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT.failure;
  }
}
