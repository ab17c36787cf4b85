import type { Command } from 'commander';
import type { FleetCliOptions } from './actions/sim-fleet.js';
import { addCredentialOptions } from './credential-options.js';
import { DEFAULT_HTTP_URL, DEFAULT_MQTT_URL, parseDuration, parseHttpUrl, parseInteger, parseMqttUrl, parseNonNegative } from './options.js';
import { reachable } from './reach.js';
import { parseRouteId } from './sim-routes.js';

export function registerSimFleet(sim: Command): void {
  const cmd = sim
    .command('fleet')
    .description('run many cars in one process: ramped connects, driving, telemetry, random crashes; prints a summary')
    .option('--cars <n>', 'number of cars', parseInteger, 100)
    .option('--telemetry-hz <hz>', 'telemetry per car per second', parseNonNegative, 1)
    .option('--duration <d>', 'how long to run once connected (e.g. 30s, 10m)', parseDuration, 60_000)
    .option('--seed <n>', 'PRNG seed: same seed, same VINs, routes and crashes', parseInteger, 42)
    .option('--url <url>', 'MQTT broker (mqtt:// or mqtts://)', parseMqttUrl, DEFAULT_MQTT_URL)
    .option('--crash-rate <perMin>', 'crashes per minute across the fleet (airbag or impact over threshold)', parseNonNegative, 0)
    .option('--ramp <perSec>', 'new connections per second', parseNonNegative, 500)
    .option('--route <id...>', 'restrict cars to these routes', (v: string, prev: string[] = []) => [...prev, parseRouteId(v)])
    .option('--json', 'print the summary as JSON')
    .option('--no-progress', 'no progress bar (it is shown only when stdout is a terminal anyway)')
    .option('--http-url <url>', 'backend HTTP API, for --provision', parseHttpUrl, DEFAULT_HTTP_URL);
  addCredentialOptions(cmd).action(async (o: FleetCliOptions) => {
      const [{ simFleet }] = await Promise.all([import('./actions/sim-fleet.js'), reachable({ mqtt: o.url, ...(o.provision ? { http: o.httpUrl } : {}) })]);
      await simFleet(o);
    });
}
