import { Presets, SingleBar } from 'cli-progress';
import { SystemClock } from '../../lib/clock/index.js';
import { SimulatedCar, seedFrom } from '../../simulator/car/index.js';
import { RouteDriver, getRoute } from '../../simulator/routes/index.js';
import { cliLogger } from '../logger.js';

export interface DriveCliOptions {
  vin: string;
  route: string;
  url: string;
  speed: number;
  telemetryHz: number;
  startKm?: number;
  duration: number;
  seed: number;
  progressEvery: number;
  progress: boolean;
}

/** `anshin sim drive`: progress on stderr (a cli-progress bar on a terminal, else a line every `--progress-every`), the end point on stdout. */
export async function simDrive(o: DriveCliOptions): Promise<void> {
  const clock = new SystemClock();
  const car = new SimulatedCar({ vin: o.vin, url: o.url, clock, seed: seedFrom(o.vin, o.seed), logger: cliLogger() });
  const route = getRoute(o.route);
  const driver = new RouteDriver(car, { route, clock, speedKmh: o.speed, telemetryHz: o.telemetryHz, seed: o.seed, ...(o.startKm !== undefined ? { startKm: o.startKm } : {}) });
  await car.connect();
  driver.start();
  const started = clock.now();
  const where = () => {
    const p = driver.pose();
    return { km: p.km.toFixed(2), place: `${p.lastLabel ?? 'start'}${p.tunnel ? `, in ${p.tunnel.name}` : ''}`, sent: car.counters.telemetrySent };
  };
  const seconds = Math.round(o.duration / 1000);
  const bar = o.progress && process.stderr.isTTY ? new SingleBar({ format: `${o.vin} |{bar}| {value}/{total} s | km {km} after {place} | telemetry {sent}`, hideCursor: true }, Presets.shades_classic) : undefined;
  bar?.start(seconds, 0, where());
  const elapsed = () => Math.round((clock.now() - started) / 1000);
  const tick = () => {
    if (bar) bar.update(elapsed(), where());
    else {
      const w = where();
      process.stderr.write(`${elapsed()}/${seconds} s: km ${w.km} after ${w.place}; telemetry sent ${w.sent}\n`);
    }
  };
  const timer = o.progress && (bar || o.progressEvery > 0) ? setInterval(tick, bar ? 500 : o.progressEvery) : undefined;
  await new Promise<void>((resolve) => clock.setTimer(o.duration, resolve));
  clearInterval(timer);
  driver.stop();
  bar?.update(seconds, where());
  bar?.stop();
  const p = driver.pose();
  process.stdout.write(`${o.vin} on ${route.def.name}: km ${p.km.toFixed(2)} after ${p.lastLabel ?? 'start'}${p.tunnel ? `, in ${p.tunnel.name}` : ''}; telemetry sent ${car.counters.telemetrySent}\n`);
  await car.end();
}
