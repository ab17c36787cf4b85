import type { Command } from 'commander';

/** Adds a command's options, subcommands and action to it. */
export type Define = (cmd: Command) => void;

const pending = new WeakMap<Command, () => Promise<Define>>();

/**
 * Defines `cmd` only when it runs or shows its help: `load` imports the module that defines it then.
 * So `anshin --help` lists every command with its description and loads none of them; `anshin sim …`
 * loads the simulator's definitions, and each action loads what it runs (mqtt, fastify, the services).
 */
export function defineWhenUsed(cmd: Command, load: () => Promise<Define>): Command {
  pending.set(cmd, load);
  return cmd;
}

/** commander's `preSubcommand` hook (program.ts): defines the subcommand about to be parsed. */
export async function defineSubcommand(_parent: Command, sub: Command): Promise<void> {
  const load = pending.get(sub);
  if (!load) return;
  pending.delete(sub);
  (await load())(sub);
}
