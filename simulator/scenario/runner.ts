import type { Logger } from 'pino';
import type { Scenario } from '../../protocol/index.js';
import type { Clock } from '../../lib/clock/index.js';
import { SimulatedCar, seedFrom } from '../car/index.js';
import { Fleet, fleetVin } from '../fleet/index.js';
import type { RunningServiceCar } from '../service-car/index.js';
import { CarRunner } from './car-runner.js';
import { ConfigCheck, describeConfig } from './config-check.js';
import { runFleetTimeline } from './fleet-runner.js';
import { OperatorClient } from './http-client.js';
import type { ScenarioReport, StepResult } from './report.js';
import { settle } from './wait.js';

export interface RunScenarioOptions {
  scenario: Scenario;
  url: string;
  httpUrl?: string | undefined;
  /** The operator's HTTP client, instead of one made from `httpUrl` (the fixture recorder watches it). */
  http?: OperatorClient;
  clock: Clock;
  /** Makes the VINs; a fresh seed per run keeps reruns from meeting the previous run's lockouts. */
  seed: number;
  token?: string | undefined;
  logger?: Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;
  onStep?: (r: StepResult) => void;
  /**
   * AUTH on: the cars' MQTT passwords, asked for once with every VIN of the run (its cars and fleet)
   * before any car connects (e.g. provisioned over `PUT /v1/vehicles/{vin}/credentials`).
   */
  credentials?: (vins: string[]) => Promise<ReadonlyMap<string, string>>;
  /**
   * AUTH on, D4.6: the service cars' MQTT passwords (id -> password; each connects as `svc-<id>`), asked
   * for once with the id of every `serviceCar` step before any car connects (e.g. provisioned over
   * `PUT /v1/service-cars/{id}/credentials`). Not called when the scenario has no service car.
   */
  serviceCarCredentials?: (ids: string[]) => Promise<ReadonlyMap<string, string>>;
}

/** The ids of the service cars a scenario's timelines start (D4.6), each once, in order of appearance. */
export function serviceCarIds(scenario: Scenario): string[] {
  const ids = new Set<string>();
  for (const car of scenario.cars ?? []) for (const step of car.timeline) if (step.serviceCar) ids.add(step.serviceCar.id);
  return [...ids];
}

/** Connects the scenario's cars (and fleet), runs every timeline in parallel, and reports each step. */
export async function runScenario(o: RunScenarioOptions): Promise<ScenarioReport> {
  const { scenario, clock } = o;
  const http = o.http ?? (o.httpUrl ? new OperatorClient(o.httpUrl, { token: o.token }) : undefined);
  const steps: StepResult[] = [];
  const record = (r: StepResult) => {
    steps.push(r);
    o.onStep?.(r);
  };
  const warnings: string[] = [];
  const configCheck = new ConfigCheck(scenario.config, (message) => {
    warnings.push(message);
    o.logger?.warn({ scenario: scenario.name }, message);
  });
  // The runner cannot set a live backend's configuration; a scenario written for another one says so.
  if (scenario.config) o.logger?.warn({ scenario: scenario.name }, `${scenario.name} is written for a backend with ${describeConfig(scenario.config)}`);
  const vinSeed = seedFrom(scenario.name, o.seed);
  const carVins = (scenario.cars ?? []).map((spec, i) => spec.vin ?? fleetVin(vinSeed, i));
  const fleetSeed = seedFrom(`${scenario.name}-fleet`, o.seed);
  const fleetVins = Array.from({ length: scenario.fleet?.cars ?? 0 }, (_, i) => fleetVin(fleetSeed, i));
  const passwords = o.credentials ? await o.credentials([...carVins, ...fleetVins]) : undefined;
  const svcIds = serviceCarIds(scenario);
  const serviceCarPasswords = o.serviceCarCredentials && svcIds.length > 0 ? await o.serviceCarCredentials(svcIds) : undefined;
  const cars = (scenario.cars ?? []).map((spec, i) => {
    const password = passwords?.get(carVins[i]!);
    return new SimulatedCar({ vin: carVins[i]!, url: o.url, clock, seed: seedFrom(spec.id, o.seed), reconnectPeriodMs: 500, ...(password !== undefined ? { password } : {}), ...(o.logger ? { logger: o.logger } : {}) });
  });
  const fleet = scenario.fleet
    ? new Fleet({ url: o.url, clock, cars: scenario.fleet.cars, seed: fleetSeed, telemetryHz: scenario.fleet.telemetryHz ?? 0, drive: false, rampPerSec: scenario.fleet.rampPerSec ?? 1000, ...(passwords ? { passwords } : {}), ...(o.logger ? { logger: o.logger } : {}) })
    : undefined;
  const t0 = clock.now();
  /** D4.6: service cars the timelines started; stopped with the cars. */
  const serviceCars: RunningServiceCar[] = [];
  try {
    await Promise.all(cars.map((c) => c.connect()));
    if (fleet) {
      const p = await fleet.connectAll();
      record({ who: 'fleet', plannedMs: 0, ranMs: 0, action: `connect ${fleet.members.length} cars`, ok: p.failed === 0, detail: `${p.connected} connected, ${p.failed} failed in ${clock.now() - t0} ms` });
    }
    await settle(clock); // the cars' subscriptions and online status land before the first step
    const startedAt = clock.now();
    const ctx = { clock, startedAt, http, configCheck, record, mqtt: { url: o.url }, serviceCars, ...(serviceCarPasswords ? { serviceCarPasswords } : {}) };
    await Promise.all([
      ...(scenario.cars ?? []).map((spec, i) => new CarRunner(spec, cars[i]!, ctx).run()),
      ...(fleet && scenario.fleet ? [runFleetTimeline(scenario.fleet, fleet, ctx)] : []),
    ]);
  } finally {
    await Promise.all(cars.map((c) => c.end().catch(() => {})));
    await Promise.all(serviceCars.map((c) => c.stop().catch(() => {})));
    await fleet?.stop();
  }
  return {
    name: scenario.name,
    seed: o.seed,
    passed: steps.every((s) => s.ok),
    steps,
    durationMs: clock.now() - t0,
    ...(scenario.config ? { config: scenario.config } : {}),
    warnings,
  };
}
