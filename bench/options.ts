import { InvalidArgumentError, type Command } from 'commander';
import { ALL_MODES, EXTRA_MODES, MODES, type ModeName } from './modes.js';

const positive = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a whole number > 0');
  return n;
};
const modeList = (v: string): ModeName[] => {
  const list = v.split(',').map((s) => s.trim());
  for (const m of list) if (!(ALL_MODES as readonly string[]).includes(m)) throw new InvalidArgumentError(`unknown mode ${m}; one of ${ALL_MODES.join(', ')}`);
  return list as ModeName[];
};

export interface BenchCliOptions {
  quick?: boolean;
  cars?: number;
  steady?: number;
  burst?: number;
  modes?: ModeName[];
  replay: boolean;
  out?: string;
  latest?: boolean;
  cpuProf?: boolean;
}

/** The bench's options, shared by `npm run bench` and `anshin bench` (light: no bench code loaded). */
export function addBenchOptions(cmd: Command): Command {
  return cmd
    .option('--quick', 'a small run (200 cars, 2 s steady, 100-crash storm) that finishes in under a minute')
    .option('--cars <n>', 'cars connected at 1 Hz (default 10000; quick 200)', positive)
    .option('--steady <seconds>', 'length of the steady window (default 60; quick 2)', positive)
    .option('--burst <n>', 'crashes fired at once, one per car, unpaced (default 10000; quick 100)', positive)
    .option('--modes <list>', `comma-separated subset of ${MODES.join(', ')} (the full run), or ${EXTRA_MODES.join(', ')} (only when named)`, modeList)
    .option('--no-replay', 'leave out the trace replay')
    .option('--out <dir>', 'results directory (default bench/results)')
    .option('--latest', 'also write <out>/latest.json (the committed full-run result)')
    .option('--cpu-prof', 'run the service processes with node --cpu-prof (profiles in <out>/prof)');
}
