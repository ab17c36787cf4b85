import type { Command } from 'commander';
import { defineWhenUsed } from './lazy.js';

/** `anshin sim …`: the vehicle simulator's subcommands, each defined in its own module, loaded when `sim` runs. */
export function registerSim(program: Command): void {
  defineWhenUsed(program.command('sim').description('simulated vehicles over MQTT (contract v1): fire one event, drive a route, run a fleet or a scenario'), async () => {
    const [fire, routes, fleet, run, serviceCar] = await Promise.all([import('./sim-fire.js'), import('./sim-routes.js'), import('./sim-fleet.js'), import('./sim-run.js'), import('./sim-service-car.js')]);
    return (sim) => {
      fire.registerSimFire(sim);
      routes.registerSimRoutes(sim);
      fleet.registerSimFleet(sim);
      run.registerSimRun(sim);
      serviceCar.registerSimServiceCar(sim);
    };
  });
}
