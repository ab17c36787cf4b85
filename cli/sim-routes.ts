import { InvalidArgumentError, type Command } from 'commander';
import { SystemClock } from '../lib/clock/index.js';
import { SimulatedCar, seedFrom } from '../simulator/car/index.js';
import { ROUTE_DEFS, RouteDriver, getRoute, routeIds } from '../simulator/routes/index.js';
import { cliLogger } from './logger.js';
import { DEFAULT_MQTT_URL, parseDuration, parseInteger, parseNonNegative, parseVin } from './options.js';

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
    .description('drive one car along a route, sending telemetry, then print where it ended')
    .requiredOption('--vin <vin>', 'the car', parseVin)
    .requiredOption('--route <id>', `one of ${routeIds().join(', ')}`, parseRouteId)
    .option('--url <url>', 'MQTT broker', DEFAULT_MQTT_URL)
    .option('--speed <kmh>', 'speed in km/h', parseNonNegative, 100)
    .option('--telemetry-hz <hz>', 'telemetry messages per second', parseNonNegative, 1)
    .option('--start-km <km>', 'kilometre post to start at', parseNonNegative)
    .option('--duration <d>', 'how long to drive (e.g. 30s, 10m)', parseDuration, 60_000)
    .option('--seed <n>', 'PRNG seed', parseInteger, 1)
    .action(async (o: { vin: string; route: string; url: string; speed: number; telemetryHz: number; startKm?: number; duration: number; seed: number }) => {
      const clock = new SystemClock();
      const car = new SimulatedCar({ vin: o.vin, url: o.url, clock, seed: seedFrom(o.vin, o.seed), logger: cliLogger() });
      const route = getRoute(o.route);
      const driver = new RouteDriver(car, { route, clock, speedKmh: o.speed, telemetryHz: o.telemetryHz, seed: o.seed, ...(o.startKm !== undefined ? { startKm: o.startKm } : {}) });
      await car.connect();
      driver.start();
      await new Promise<void>((resolve) => clock.setTimer(o.duration, resolve));
      driver.stop();
      const p = driver.pose();
      process.stdout.write(`${o.vin} on ${route.def.name}: km ${p.km.toFixed(2)} after ${p.lastLabel ?? 'start'}${p.tunnel ? `, in ${p.tunnel.name}` : ''}; telemetry sent ${car.counters.telemetrySent}\n`);
      await car.end();
    });
}
