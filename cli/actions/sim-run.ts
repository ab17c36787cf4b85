import { readdirSync } from 'node:fs';
import { SystemClock } from '../../lib/clock/index.js';
import { BUILT_IN_DIR, ScenarioError, formatReport, loadScenario, runScenario } from '../../simulator/scenario/index.js';
import type { CredentialCliOptions } from '../credential-options.js';
import { UsageError } from '../errors.js';
import { cliLogger } from '../logger.js';
import { nearest } from '../suggest.js';
import { apiToken, carPasswords, serviceCarPasswords } from './credentials.js';

export interface RunCliOptions extends CredentialCliOptions {
  url: string;
  httpUrl: string;
  seed?: number;
  check?: boolean;
  json?: boolean;
}

function builtInNames(): string[] {
  return readdirSync(BUILT_IN_DIR)
    .filter((n) => n.endsWith('.yaml'))
    .map((n) => n.replace(/\.yaml$/, ''))
    .sort();
}

/** The first sentence of a scenario's description, on one line. */
function firstSentence(text: string | undefined): string {
  const flat = (text ?? '').replace(/\s+/g, ' ').trim();
  const end = flat.search(/\.(\s|$)/);
  return end < 0 ? flat : flat.slice(0, end + 1);
}

/** `anshin sim scenarios`: one line each, name, rules and what happens. */
export async function listScenarios(): Promise<void> {
  const scenarios = await Promise.all(builtInNames().map(async (n) => (await loadScenario(n)).scenario));
  const rulesWidth = Math.max(...scenarios.map((s) => (s.rules ?? []).join(' ').length));
  for (const s of scenarios) process.stdout.write(`${s.name.padEnd(28)} ${(s.rules ?? []).join(' ').padEnd(rulesWidth)}  ${firstSentence(s.description)}\n`);
}

/** `anshin sim run`: the scenario checked, then the broker and the API (`preflight`), then the steps. */
export async function simRun(name: string, o: RunCliOptions, preflight: Promise<void> = Promise.resolve()): Promise<void> {
  const looksLikePath = name.includes('/') || /\.ya?ml$/.test(name);
  if (!looksLikePath) {
    const known = builtInNames();
    if (!known.includes(name)) {
      const guess = nearest(name, known);
      throw new UsageError(`unknown scenario "${name}"${guess ? `; did you mean ${guess}?` : ''} (\`anshin sim scenarios\` lists the ${known.length} built-in ones; a file needs a path or .yaml)`);
    }
  }
  let loaded;
  try {
    loaded = await loadScenario(name);
  } catch (err) {
    if (err instanceof ScenarioError) throw new UsageError(`invalid scenario\n${err.message}`);
    throw err;
  }
  const { scenario, file } = loaded;
  if (o.username !== undefined || o.password !== undefined) {
    // One car's credentials: a scenario of one car, which takes the VIN they are for.
    const cars = scenario.cars ?? [];
    if (cars.length !== 1 || scenario.fleet) throw new UsageError(`--username/--password are one car's credentials, and ${scenario.name} has ${cars.length} car(s)${scenario.fleet ? ` and a fleet of ${scenario.fleet.cars}` : ''}: use --provision with an admin token`);
    if (o.username === undefined) throw new UsageError('--password needs --username (the VIN it belongs to)');
    cars[0]!.vin = o.username;
  }
  if (o.check) {
    process.stdout.write(`${file}: valid scenario ${scenario.name}\n`);
    return;
  }
  await preflight;
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
    token: apiToken(o),
    logger: cliLogger(),
    ...(o.provision || o.password !== undefined ? { credentials: (vins: string[]) => carPasswords(vins, o, o.httpUrl).then((m) => m ?? new Map<string, string>()) } : {}),
    // D4.6: the scenario's service cars too, each as svc-<id> (PUT /v1/service-cars/{id}/credentials).
    ...(o.provision ? { serviceCarCredentials: (ids: string[]) => serviceCarPasswords(ids, o, o.httpUrl).then((m) => m ?? new Map<string, string>()) } : {}),
    ...(live ? { onStep: (s) => process.stdout.write(`${s.ok ? '.' : 'F'}`) } : {}),
  });
  if (live) process.stdout.write('\n');
  process.stdout.write(o.json ? `${JSON.stringify(report)}\n` : `${formatReport(report)}\n`);
  if (!report.passed) process.exitCode = 1;
}
