import { InvalidArgumentError, Option, type Command } from 'commander';
// The contract module this needs, not protocol/index.js (that one compiles every validator).
import { isServiceCarId } from '../protocol/service-car.js';
import { parseLatLon, type LatLon } from '../simulator/service-car/path.js';
import type { ServiceCarCliOptions } from './actions/sim-service-car.js';
import { addServiceCarCredentialOptions } from './credential-options.js';
import { DEFAULT_HTTP_URL, DEFAULT_MQTT_URL, parseDuration, parseHttpUrl, parseMqttUrl } from './options.js';
import { reachable } from './reach.js';
import { parseRouteId } from './sim-routes.js';

export function parseServiceCarId(value: string): string {
  if (!isServiceCarId(value)) throw new InvalidArgumentError('a service car id is 1-64 of A-Z a-z 0-9 _ - (a topic level: no /, + or #).');
  return value;
}

export function parsePoint(value: string): LatLon {
  const p = parseLatLon(value);
  if (!p) throw new InvalidArgumentError('expected <lat>,<lon> in degrees, e.g. 35.4413,139.3713.');
  return p;
}

export function parseSpeed(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a speed above 0 km/h.');
  return n;
}

function parseEvery(value: string): number {
  const ms = parseDuration(value);
  if (ms <= 0) throw new InvalidArgumentError('expected a duration above 0, e.g. 5s.');
  return ms;
}

/** `anshin sim service-car`: a road-service car driving to a scene, reporting its position (D4.6). */
export function registerSimServiceCar(sim: Command): void {
  const cmd = sim
    .command('service-car')
    .description('drive a road-service car from a depot to a scene, reporting its position on v1/service-cars/{id}/position (D4.6); exit 0 on arrival')
    .requiredOption('--id <id>', 'the service car (1-64 of A-Z a-z 0-9 _ -)', parseServiceCarId)
    .requiredOption('--from <lat,lon>', 'the depot', parsePoint)
    .requiredOption('--to <lat,lon>', 'the scene', parsePoint)
    .option('--speed-kmh <kmh>', 'speed in km/h', parseSpeed, 60)
    .addOption(new Option('--every <d>', 'report the position this often (e.g. 5s, 500ms)').argParser(parseEvery).default(5_000, '5s'))
    .option('--route <id>', 'drive along this road between the points nearest the depot and the scene (default: a straight line)', parseRouteId)
    .option('--url <url>', 'MQTT broker (mqtt:// or mqtts://)', parseMqttUrl, DEFAULT_MQTT_URL)
    .option('--http-url <url>', 'backend HTTP API, for --provision', parseHttpUrl, DEFAULT_HTTP_URL)
    .option('--json', 'print each report and the arrival as JSON lines on stdout');
  addServiceCarCredentialOptions(cmd).action(async (o: ServiceCarCliOptions) => {
    const [{ simServiceCar }] = await Promise.all([import('./actions/sim-service-car.js'), reachable({ mqtt: o.url, ...(o.provision ? { http: o.httpUrl } : {}) })]);
    await simServiceCar(o);
  });
}
