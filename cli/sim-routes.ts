import { InvalidArgumentError, type Command } from 'commander';
import { ROUTE_DEFS, getRoute, routeIds } from '../simulator/routes/index.js';
import type { DriveCliOptions } from './actions/sim-drive.js';
import { reachable } from './reach.js';
import { DEFAULT_MQTT_URL, parseDuration, parseInteger, parseMqttUrl, parseNonNegative, parseVin } from './options.js';

export function parseRouteId(value: string): string {
  if (!routeIds().includes(value)) throw new InvalidArgumentError(`expected one of ${routeIds().join(', ')}.`);
  return value;
}

/** `anshin sim routes` and `anshin sim drive`. */
export function registerSimRoutes(sim: Command): void {
  sim
    .command('routes')
    .description('list the roads shipped as data (approximate coordinates)')
    .action(() => {
      for (const d of ROUTE_DEFS) {
        const r = getRoute(d.id);
        const tunnels = d.tunnels.map((t) => `${t.name} km ${t.fromKm}-${t.toKm} (${t.fix === 'none' ? 'no fix' : 'untrusted fix'})`);
        process.stdout.write(`${d.id.padEnd(13)} ${r.lengthKm.toFixed(1).padStart(6)} km  ${d.name} ${d.nameJa}\n`);
        for (const t of tunnels) process.stdout.write(`${' '.repeat(24)}tunnel: ${t}\n`);
      }
    });

  sim
    .command('drive')
    .description('drive one car along a route, sending telemetry, showing progress; then print where it ended')
    .requiredOption('--vin <vin>', 'the car', parseVin)
    .requiredOption('--route <id>', `one of ${routeIds().join(', ')}`, parseRouteId)
    .option('--url <url>', 'MQTT broker (mqtt:// or mqtts://)', parseMqttUrl, DEFAULT_MQTT_URL)
    .option('--speed <kmh>', 'speed in km/h', parseNonNegative, 100)
    .option('--telemetry-hz <hz>', 'telemetry messages per second', parseNonNegative, 1)
    .option('--start-km <km>', 'kilometre post to start at', parseNonNegative)
    .option('--duration <d>', 'how long to drive (e.g. 30s, 10m)', parseDuration, 60_000)
    .option('--seed <n>', 'PRNG seed', parseInteger, 1)
    .option('--progress-every <d>', 'without a terminal: print where the car is this often (on a terminal: a progress bar)', parseDuration, 5_000)
    .option('--no-progress', 'no progress bar or progress lines')
    .action(async (o: DriveCliOptions) => {
      const [{ simDrive }] = await Promise.all([import('./actions/sim-drive.js'), reachable({ mqtt: o.url })]);
      await simDrive(o);
    });
}
