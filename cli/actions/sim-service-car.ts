import { SystemClock } from '../../lib/clock/index.js';
import { getRoute } from '../../simulator/routes/index.js';
import { distanceKm, runServiceCar, serviceCarUsername, type LatLon, type ServiceCarArrival, type ServiceCarReport } from '../../simulator/service-car/index.js';
import type { CredentialCliOptions } from '../credential-options.js';
import { UsageError } from '../errors.js';
import { cliLogger } from '../logger.js';
import { serviceCarConnectFailure, serviceCarPasswords } from './credentials.js';

export interface ServiceCarCliOptions extends CredentialCliOptions {
  id: string;
  from: LatLon;
  to: LatLon;
  speedKmh: number;
  every: number;
  route?: string;
  url: string;
  httpUrl: string;
  json?: boolean;
}

/** AUTH on (D4.6): the service car's password from `--password` or `--provision`, or undefined (connect without). */
async function servicePassword(o: ServiceCarCliOptions): Promise<string | undefined> {
  const username = serviceCarUsername(o.id);
  if (o.provision) {
    if (o.password !== undefined || o.username !== undefined) throw new UsageError('--provision issues the service car a password of its own: leave out --username/--password');
    return (await serviceCarPasswords([o.id], o, o.httpUrl))?.get(o.id);
  }
  if (o.password === undefined) {
    if (o.username !== undefined) throw new UsageError(`--username needs --password (the service car's MQTT password)`);
    return undefined;
  }
  if (o.username !== undefined && o.username !== username) throw new UsageError(`--username ${o.username} is not service car ${o.id}'s MQTT username ${username}`);
  return o.password;
}

const clockTime = (ms: number) => new Date(ms).toISOString().slice(11, 19);

/**
 * `anshin sim service-car`: one line of progress per position report on stderr, the arrival on stdout
 * (`--json`: both as JSON lines on stdout); exit 0 once there and the last report is acknowledged.
 */
export async function simServiceCar(o: ServiceCarCliOptions): Promise<void> {
  const clock = new SystemClock();
  const road = o.route ? getRoute(o.route) : undefined;
  const password = await servicePassword(o);
  const login = password !== undefined ? { username: serviceCarUsername(o.id), password } : {};
  const onReport = (r: ServiceCarReport) => {
    if (o.json) {
      process.stdout.write(`${JSON.stringify({ report: r.message, km: round(r.km), remainingKm: round(r.remainingKm), arrived: r.arrived })}\n`);
      return;
    }
    const p = r.message.position;
    process.stderr.write(`${clockTime(clock.now())} ${o.id}: ${p.lat.toFixed(5)},${p.lon.toFixed(5)}  ${r.km.toFixed(2)} km driven, ${r.remainingKm.toFixed(2)} km to go (${distanceKm(p, o.to).toFixed(2)} km as the crow flies)${p.trusted ? '' : ', fix untrusted'}\n`);
  };
  let arrival: ServiceCarArrival;
  try {
    arrival = await runServiceCar({ id: o.id, url: o.url, clock, from: o.from, to: o.to, road, speedKmh: o.speedKmh, everyMs: o.every, logger: cliLogger(), ...login }, onReport);
  } catch (err) {
    throw serviceCarConnectFailure(err, o.id, o.url, password !== undefined);
  }
  const minutes = arrival.ms / 60_000;
  if (o.json) process.stdout.write(`${JSON.stringify({ arrived: true, id: o.id, km: round(arrival.km), ms: arrival.ms, reports: arrival.reports, position: arrival.position })}\n`);
  else process.stdout.write(`${o.id} arrived at ${arrival.position.lat.toFixed(5)},${arrival.position.lon.toFixed(5)}: ${arrival.km.toFixed(2)} km${road ? ` by ${road.def.name}` : ' (straight line)'} in ${minutes >= 1 ? `${minutes.toFixed(1)} min` : `${(arrival.ms / 1000).toFixed(1)} s`}; ${arrival.reports} position reports\n`);
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
