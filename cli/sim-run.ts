import type { Command } from 'commander';
import type { RunCliOptions } from './actions/sim-run.js';
import { addCredentialOptions } from './credential-options.js';
import { reachable } from './reach.js';
import { DEFAULT_HTTP_URL, DEFAULT_MQTT_URL, parseHttpUrl, parseInteger, parseMqttUrl } from './options.js';

/** `anshin sim run <scenario>` and `anshin sim scenarios`. */
export function registerSimRun(sim: Command): void {
  sim
    .command('scenarios')
    .description('list the built-in scenarios: name, the rules they exercise, what happens')
    .action(async () => (await import('./actions/sim-run.js')).listScenarios());

  const run = sim
    .command('run')
    .description('run a scenario (built-in name or YAML file) against a running backend')
    .argument('<scenario>', 'built-in name (see `anshin sim scenarios`) or a path to a .yaml file')
    .option('--url <url>', 'MQTT broker (mqtt:// or mqtts://)', parseMqttUrl, DEFAULT_MQTT_URL)
    .option('--http-url <url>', 'backend HTTP API, for operator steps and case checks', parseHttpUrl, DEFAULT_HTTP_URL)
    .option('--seed <n>', 'seed for VINs and randomness (default: a fresh one per run)', parseInteger)
    .option('--check', 'only validate the scenario file')
    .option('--json', 'print the report as JSON');
  addCredentialOptions(run).action(async (name: string, o: RunCliOptions) => {
    // The broker and the API are checked while the scenario code loads; a bad scenario is reported first.
    const preflight = o.check ? Promise.resolve() : reachable({ mqtt: o.url, http: o.httpUrl });
    preflight.catch(() => {}); // awaited by simRun
    await (await import('./actions/sim-run.js')).simRun(name, o, preflight);
  });
}
