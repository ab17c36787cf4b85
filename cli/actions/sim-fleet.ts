import { Presets, SingleBar } from 'cli-progress';
import { SystemClock } from '../../lib/clock/index.js';
import { Fleet, every, fleetVin, formatSummary, startCrashes } from '../../simulator/fleet/index.js';
import type { CredentialCliOptions } from '../credential-options.js';
import { UsageError } from '../errors.js';
import { cliLogger } from '../logger.js';
import { carPasswords, connectFailure } from './credentials.js';

export interface FleetCliOptions extends CredentialCliOptions {
  cars: number;
  telemetryHz: number;
  duration: number;
  seed: number;
  url: string;
  crashRate: number;
  ramp: number;
  route?: string[];
  json?: boolean;
  progress: boolean;
  httpUrl: string;
}

/** `anshin sim fleet`: connect, drive, crash, then a summary (text or JSON). */
export async function simFleet(o: FleetCliOptions): Promise<void> {
  if (o.cars < 1) throw new Error('--cars must be at least 1');
  if (o.username !== undefined && o.cars !== 1) throw new UsageError(`--username/--password are one car's credentials: add --cars 1 (this run has ${o.cars} cars), or use --provision`);
  // The fleet's VINs (the seed's, or the one car named by --username), then their credentials (AUTH on).
  const vins = o.username !== undefined ? [o.username] : Array.from({ length: o.cars }, (_, i) => fleetVin(o.seed, i));
  const passwords = await carPasswords(vins, o, o.httpUrl);
  const clock = new SystemClock();
  const fleet = new Fleet({
    url: o.url,
    clock,
    cars: o.cars,
    seed: o.seed,
    telemetryHz: o.telemetryHz,
    rampPerSec: Math.max(1, o.ramp),
    logger: cliLogger(),
    ...(o.route ? { routes: o.route } : {}),
    ...(o.username !== undefined ? { vins } : {}),
    ...(passwords ? { passwords } : {}),
  });
  const bar = o.progress && process.stdout.isTTY ? new SingleBar({ format: '{phase} |{bar}| {value}/{total} | connected {connected} | events {acked}/{sent} | cmds {cmds} | errors {errors}', hideCursor: true }, Presets.shades_classic) : undefined;
  const payload = () => {
    const s = fleet.summary();
    return { connected: s.connected, sent: s.eventsSent, acked: s.eventsAcked, cmds: s.commandsReceived, errors: s.errors };
  };
  bar?.start(o.cars, 0, { phase: 'connect', ...payload() });
  const connect = await fleet.connectAll((p) => bar?.update(p.connected + p.failed, { connected: p.connected }));
  if (connect.connected === 0) {
    // Nothing to run: say why now (a broker with AUTH on refuses cars without credentials) instead of after --duration.
    bar?.stop();
    await fleet.stop();
    const why = fleet.firstConnectError ? connectFailure(fleet.firstConnectError, /car ([A-Z0-9]{17})/.exec(fleet.firstConnectError.message)?.[1] ?? vins[0]!, o.url, passwords !== undefined).message : 'no reason given';
    throw new Error(`no car could connect (${connect.failed} of ${o.cars} failed); first failure: ${why}`);
  }
  bar?.setTotal(Math.round(o.duration / 1000));
  bar?.update(0, { phase: 'run    ' });
  const runStart = clock.now();
  const stopBar = every(clock, 500, () => bar?.update(Math.round((clock.now() - runStart) / 1000), payload()));
  const stopCrashes = startCrashes(fleet, clock, o.crashRate);
  await new Promise<void>((resolve) => {
    const t = clock.setTimer(o.duration, resolve);
    process.once('SIGINT', () => (clock.clearTimer(t), resolve()));
  });
  stopCrashes();
  await fleet.drain();
  stopBar();
  bar?.stop();
  const summary = fleet.summary();
  await fleet.stop();
  process.stdout.write(o.json ? `${JSON.stringify({ ...summary, connectFailures: connect.failed })}\n` : `${formatSummary(summary)}\n`);
  if (summary.connected === 0) throw new Error('no car could connect');
}
