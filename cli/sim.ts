import type { Command } from 'commander';
import { registerSimFire } from './sim-fire.js';
import { registerSimFleet } from './sim-fleet.js';
import { registerSimRoutes } from './sim-routes.js';
import { registerSimRun } from './sim-run.js';

/** `anshin sim …`: the vehicle simulator's subcommands, each registered from its own module. */
export function registerSim(program: Command): void {
  const sim = program.command('sim').description('simulated vehicles over MQTT (contract v1)');
  registerSimFire(sim);
  registerSimRoutes(sim);
  registerSimFleet(sim);
  registerSimRun(sim);
}
