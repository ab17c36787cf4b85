import { SingleBar, Presets } from 'cli-progress';
import type { Command } from 'commander';
import { SystemClock } from '../lib/clock/index.js';
import { Fleet, every, formatSummary, startCrashes } from '../simulator/fleet/index.js';
import { cliLogger } from './logger.js';
import { DEFAULT_MQTT_URL, parseDuration, parseInteger, parseNonNegative } from './options.js';
import { parseRouteId } from './sim-routes.js';

interface FleetCliOptions {
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
}

export function registerSimFleet(sim: Command): void {
  sim
    .command('fleet')
    .description('run many cars in one process: ramped connects, driving, telemetry, random crashes; prints a summary')
    .option('--cars <n>', 'number of cars', parseInteger, 100)
    .option('--telemetry-hz <hz>', 'telemetry per car per second', parseNonNegative, 1)
    .option('--duration <d>', 'how long to run once connected (e.g. 30s, 10m)', parseDuration, 60_000)
    .option('--seed <n>', 'PRNG seed: same seed, same VINs, routes and crashes', parseInteger, 42)
    .option('--url <url>', 'MQTT broker', DEFAULT_MQTT_URL)
    .option('--crash-rate <perMin>', 'crashes per minute across the fleet (airbag or impact over threshold)', parseNonNegative, 0)
    .option('--ramp <perSec>', 'new connections per second', parseNonNegative, 500)
    .option('--route <id...>', 'restrict cars to these routes', (v: string, prev: string[] = []) => [...prev, parseRouteId(v)])
    .option('--json', 'print the summary as JSON')
    .option('--no-progress', 'no progress bar (it is shown only when stdout is a terminal anyway)')
    .action(async (o: FleetCliOptions) => {
      if (o.cars < 1) throw new Error('--cars must be at least 1');
      const clock = new SystemClock();
      const fleet = new Fleet({ url: o.url, clock, cars: o.cars, seed: o.seed, telemetryHz: o.telemetryHz, rampPerSec: Math.max(1, o.ramp), logger: cliLogger(), ...(o.route ? { routes: o.route } : {}) });
      const bar = o.progress && process.stdout.isTTY ? new SingleBar({ format: '{phase} |{bar}| {value}/{total} | connected {connected} | events {acked}/{sent} | cmds {cmds} | errors {errors}', hideCursor: true }, Presets.shades_classic) : undefined;
      const payload = () => {
        const s = fleet.summary();
        return { connected: s.connected, sent: s.eventsSent, acked: s.eventsAcked, cmds: s.commandsReceived, errors: s.errors };
      };
      bar?.start(o.cars, 0, { phase: 'connect', ...payload() });
      const connect = await fleet.connectAll((p) => bar?.update(p.connected + p.failed, { connected: p.connected }));
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
    });
}
