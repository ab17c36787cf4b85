import { readdirSync } from 'node:fs';
import type { Command } from 'commander';
import { SystemClock } from '../lib/clock/index.js';
import { BUILT_IN_DIR, ScenarioError, formatReport, loadScenario, runScenario } from '../simulator/scenario/index.js';
import { UsageError } from './errors.js';
import { cliLogger } from './logger.js';
import { DEFAULT_HTTP_URL, DEFAULT_MQTT_URL, parseInteger } from './options.js';

/** `anshin sim run <scenario>` and `anshin sim scenarios`. */
export function registerSimRun(sim: Command): void {
  sim
    .command('scenarios')
    .description('list the built-in scenarios')
    .action(async () => {
      for (const f of readdirSync(BUILT_IN_DIR).filter((n) => n.endsWith('.yaml')).sort()) {
        const { scenario } = await loadScenario(f.replace(/\.yaml$/, ''));
        process.stdout.write(`${scenario.name.padEnd(28)} ${(scenario.rules ?? []).join(' ')}\n`);
      }
    });

  sim
    .command('run')
    .description('run a scenario (built-in name or YAML file) against a running backend')
    .argument('<scenario>', 'built-in name (see `anshin sim scenarios`) or a path to a .yaml file')
    .option('--url <url>', 'MQTT broker', DEFAULT_MQTT_URL)
    .option('--http-url <url>', 'backend HTTP API, for operator steps and case checks', DEFAULT_HTTP_URL)
    .option('--seed <n>', 'seed for VINs and randomness (default: a fresh one per run)', parseInteger)
    .option('--check', 'only validate the scenario file')
    .option('--json', 'print the report as JSON')
    .action(async (name: string, o: { url: string; httpUrl: string; seed?: number; check?: boolean; json?: boolean }) => {
      let loaded;
      try {
        loaded = await loadScenario(name);
      } catch (err) {
        if (err instanceof ScenarioError) throw new UsageError(`invalid scenario\n${err.message}`);
        throw err;
      }
      const { scenario, file } = loaded;
      if (o.check) {
        process.stdout.write(`${file}: valid scenario ${scenario.name}\n`);
        return;
      }
      const clock = new SystemClock();
      const seed = o.seed ?? clock.now() % 2 ** 31;
      for (const [k, v] of Object.entries(scenario.assumes ?? {})) process.stderr.write(`note: ${scenario.name} assumes the backend runs with ${k}=${v}\n`);
      const live = !o.json && process.stdout.isTTY;
      const report = await runScenario({
        scenario,
        url: o.url,
        httpUrl: o.httpUrl,
        clock,
        seed,
        token: process.env.API_TOKEN,
        logger: cliLogger(),
        ...(live ? { onStep: (s) => process.stdout.write(`${s.ok ? '.' : 'F'}`) } : {}),
      });
      if (live) process.stdout.write('\n');
      process.stdout.write(o.json ? `${JSON.stringify(report)}\n` : `${formatReport(report)}\n`);
      if (!report.passed) process.exitCode = 1;
    });
}
