import { Command, CommanderError } from 'commander';
import { EXIT, UsageError } from './errors.js';
import { registerBench } from './bench.js';
import { registerSim } from './sim.js';
import { registerTrace } from './trace.js';

/**
 * `anshin`: one program, subcommands added by registrars (`registerSim`; others add `trace`, `bench`).
 * To add one: export `registerX(program: Command)` from its module and list it here.
 */
const REGISTRARS: ((program: Command) => void)[] = [registerSim, registerTrace, registerBench];

export function buildProgram(): Command {
  const program = new Command('anshin').description('anshin emergency-call backend tools').exitOverride();
  program.configureOutput({ outputError: (str, write) => write(str) });
  for (const register of REGISTRARS) register(program);
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
