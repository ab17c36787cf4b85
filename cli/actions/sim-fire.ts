import { readFileSync } from 'node:fs';
import type { Case, Command, EventType, ImpactDirection, LockoutMessage, PowerMode } from '../../protocol/index.js';
import { SystemClock, type Clock } from '../../lib/clock/index.js';
import { SimulatedCar, airbagsFor, crashDetails, estimatePeakG, type CarSignal, type FireOptions } from '../../simulator/car/index.js';
import { mulberry32, seedFrom } from '../../simulator/car/prng.js';
import { OperatorClient } from '../../simulator/scenario/http-client.js';
import type { CredentialCliOptions } from '../credential-options.js';
import { cliLogger } from '../logger.js';
import { apiProblem } from '../reach.js';
import { apiToken, carPasswords, connectFailure } from './credentials.js';

export interface FireCliOptions extends CredentialCliOptions {
  vin: string;
  url: string;
  httpUrl: string;
  deltaV?: number;
  direction: ImpactDirection;
  belts?: { driver: boolean; passenger: boolean };
  multipleImpacts?: boolean;
  mode: PowerMode;
  kind: string;
  test?: boolean;
  position: boolean;
  waitMs: number;
  caseWaitMs: number;
  seed?: number;
  json?: boolean;
  connectTimeoutMs: number;
  ca?: string;
}

type Received = Command | ({ cmd: 'lockout(retained)' } & LockoutMessage);

/** What `sim fire` learnt about the case: found, or why not. */
type CaseLookup = { found: Pick<Case, 'id' | 'priority' | 'trigger'> } | { note: string };

/** `anshin sim fire`: one car, one event; then the case it opened and the commands it got back. */
export async function simFire(type: EventType, o: FireCliOptions): Promise<void> {
  const clock = new SystemClock();
  const password = (await carPasswords([o.vin], o, o.httpUrl, process.env.ANSHIN_VEHICLE_PASSWORD || undefined))?.get(o.vin);
  const tlsAndAuth = { ...(o.ca ? { ca: readFileSync(o.ca) } : {}), ...(password ? { password } : {}) };
  const car = new SimulatedCar({ vin: o.vin, url: o.url, clock, logger: cliLogger(), connectTimeoutMs: o.connectTimeoutMs, ...(o.seed !== undefined ? { seed: o.seed } : {}), ...tlsAndAuth });
  const received: Received[] = [];
  car.signals.on('signal', (s: CarSignal) => {
    if (s.kind === 'command') received.push(s.command);
    if (s.kind === 'lockout') received.push({ cmd: 'lockout(retained)', ...s.lockout });
  });
  try {
    await car.connect().catch((err: unknown) => {
      throw connectFailure(err, o.vin, o.url, password !== undefined);
    });
    const eventId = await fireOne(car, type, o);
    const [lookup] = await Promise.all([findCase(eventId, type, o, clock), new Promise<void>((resolve) => clock.setTimer(o.waitMs, resolve))]);
    print(o, type, eventId, lookup, received);
  } finally {
    await car.end();
  }
}

function fireOne(car: SimulatedCar, type: EventType, o: FireCliOptions): Promise<string> {
  const common: FireOptions = { ...(o.test ? { test: true } : {}), ...(o.position ? {} : { position: null }) };
  // Richer crash data (D4.3): belts and multiple impacts as told, else what the simulated car reports.
  const crash = { ...crashDetails(mulberry32(seedFrom(o.vin, o.seed ?? 0)), o.direction), ...(o.belts ? { seatbelts: o.belts } : {}), ...(o.multipleImpacts ? { multipleImpacts: true } : {}) };
  switch (type) {
    case 'impact': {
      const deltaVKmh = o.deltaV ?? 30;
      return car.impact(deltaVKmh, o.direction, { ...common, data: { deltaVKmh, peakG: estimatePeakG(deltaVKmh), ...crash } } as FireOptions<'impact'>);
    }
    case 'airbag':
      return car.fire('airbag', { ...common, data: { deployed: airbagsFor(o.direction), ...(o.deltaV !== undefined ? { deltaVKmh: o.deltaV } : {}), ...crash } } as FireOptions<'airbag'>);
    case 'power':
      return car.setPower(o.mode, common as FireOptions<'power'>);
    case 'security-alarm':
      return car.securityAlarm(o.kind, common as FireOptions<'security-alarm'>);
    default:
      return car.fire(type, common);
  }
}

/** Polls `GET /v1/cases?status=open` for the case whose eventId is ours, for `--case-wait-ms`. */
async function findCase(eventId: string, type: EventType, o: FireCliOptions, clock: Clock): Promise<CaseLookup> {
  if (o.caseWaitMs === 0) return { note: 'not looked up (--case-wait-ms 0)' };
  if (type === 'power' || type === 'security-alarm') return { note: `none: ${type} events open no case` };
  const api = new OperatorClient(o.httpUrl, { token: apiToken(o) });
  const deadline = clock.now() + o.caseWaitMs;
  for (;;) {
    try {
      // One call at a time: an event during a live call joins that call's case (listed in `triggers`).
      const found = (await api.cases('open')).find((c) => c.eventId === eventId || c.triggers?.some((t) => t.eventId === eventId));
      if (found) return { found };
    } catch (err) {
      const why = (await apiProblem(o.httpUrl)) ?? (err as Error).message;
      return { note: `could not ask the API at ${o.httpUrl} (${why}); pass --http-url, or --token (ANSHIN_TOKEN) when it needs one` };
    }
    if (clock.now() >= deadline) break;
    await new Promise<void>((resolve) => clock.setTimer(200, resolve));
  }
  return {
    note:
      `no open case with this eventId at ${o.httpUrl} after ${o.caseWaitMs / 1000} s ` +
      '(none is opened for an impact under the threshold, a trouble press during a lockout or a duplicate event; or that API is not the backend of --url)',
  };
}

function print(o: FireCliOptions, type: EventType, eventId: string, lookup: CaseLookup, items: Received[]): void {
  if (o.json) {
    const kase = 'found' in lookup ? { id: lookup.found.id, priority: lookup.found.priority } : null;
    process.stdout.write(`${JSON.stringify({ vin: o.vin, type, eventId, case: kase, ...('note' in lookup ? { caseNote: lookup.note } : {}), received: items })}\n`);
    return;
  }
  const caseLine = 'found' in lookup ? `case ${lookup.found.id} opened: ${lookup.found.trigger}, priority ${lookup.found.priority}` : `case: ${lookup.note}`;
  const lines = [`eventId ${eventId}`, caseLine, `${type} from ${o.vin}; received within ${o.waitMs} ms: ${items.length}`];
  for (const it of items) {
    const { cmd, ...rest } = it;
    lines.push(`  ${cmd} ${JSON.stringify(rest)}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
