import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { CoverageRequest, describeIssues, findUnrealTime, validator, type CoverageAnswer } from '../../protocol/index.js';
import { assess, CoverageInputError } from '../../services/road-coverage/engine.js';
import { loadProgrammes, PROGRAMMES_DIR } from '../../services/road-coverage/load.js';
import { UsageError } from '../errors.js';
import { answerText } from './coverage-text.js';
import { nearest } from '../suggest.js';

export interface AssessCliOptions {
  programme?: string;
  file?: string;
  at?: string;
  work?: string[];
  towKm?: number;
  distanceFromHome?: number;
  drivable?: boolean;
  notDrivable?: boolean;
  place?: string;
  island?: string;
  conditions?: string;
  driver?: string;
  intentional?: boolean;
  similarRequests?: number;
  afterFollow?: string;
  cause?: string;
  wheelsDropped?: number;
  dropMetres?: number;
  plate?: string;
  category?: string;
  wheels?: string;
  weightKg?: number;
  inspectionExpired?: boolean;
  illegallyModified?: boolean;
  set?: string[];
  now?: string;
  programmes?: string;
  json?: boolean;
}

type Json = Record<string, unknown>;
const check = validator(CoverageRequest);

/** What a request without a file or flag says: an ordinary private car on a road, in normal conditions. Printed when used. */
function defaults(now: number): Record<string, unknown> {
  return {
    'vehicle.category': 'private',
    'vehicle.wheels': 4,
    'vehicle.weightKg': 1500,
    'vehicle.plate': 'white',
    'vehicle.inspectionValid': true,
    'vehicle.illegallyModified': false,
    'incident.at': new Date(now).toISOString(),
    'incident.work': [],
    'incident.distanceFromHomeKm': 0,
    'incident.drivable': true,
    'incident.place': 'road',
    'incident.conditions': 'normal',
    'incident.driverCondition': 'normal',
    'incident.intentional': false,
    'incident.similarRequestsRecently': 0,
  };
}

function get(obj: Json, path: string): unknown {
  return path.split('.').reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Json)[k] : undefined), obj);
}

function set(obj: Json, path: string, value: unknown): void {
  const keys = path.split('.');
  let at = obj;
  for (const k of keys.slice(0, -1)) at = (at[k] ??= {}) as Json;
  at[keys.at(-1)!] = value;
}

/** The flags as request fields (undefined: not given). */
function flagFields(o: AssessCliOptions): Record<string, unknown> {
  if (o.drivable && o.notDrivable) throw new UsageError('--drivable and --not-drivable contradict each other');
  return {
    programme: o.programme,
    'incident.at': o.at,
    'incident.work': o.work,
    'incident.towKm': o.towKm,
    'incident.distanceFromHomeKm': o.distanceFromHome,
    'incident.drivable': o.drivable ? true : o.notDrivable ? false : undefined,
    'incident.place': o.place,
    'incident.island': o.island,
    'incident.conditions': o.conditions,
    'incident.driverCondition': o.driver,
    'incident.intentional': o.intentional,
    'incident.similarRequestsRecently': o.similarRequests,
    'incident.afterFollow': o.afterFollow,
    'incident.cause': o.cause,
    'incident.wheelsDropped': o.wheelsDropped,
    'incident.dropMetres': o.dropMetres,
    'vehicle.plate': o.plate,
    'vehicle.category': o.category,
    'vehicle.wheels': o.wheels === undefined ? undefined : Number(o.wheels),
    'vehicle.weightKg': o.weightKg,
    'vehicle.inspectionValid': o.inspectionExpired ? false : undefined,
    'vehicle.illegallyModified': o.illegallyModified,
  };
}

async function readRequest(file: string): Promise<Json> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new UsageError(`cannot read --file ${file}`);
  }
  let value: unknown;
  try {
    value = parseYaml(text); // JSON is YAML too
  } catch (err) {
    throw new UsageError(`--file ${file}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new UsageError(`--file ${file}: expected a request object (contract "Coverage")`);
  return value as Json;
}

/** The request: the file, then the flags, then each --set; defaults only for what none of them gave. */
async function buildRequest(o: AssessCliOptions, now: number): Promise<{ request: CoverageRequest; assumed: string[] }> {
  const request = o.file ? await readRequest(o.file) : {};
  for (const [path, value] of Object.entries(flagFields(o))) if (value !== undefined) set(request, path, value);
  for (const entry of o.set ?? []) {
    const [path, raw] = [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)];
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // a plain string
    }
    set(request, path, value);
  }
  const assumed: string[] = [];
  for (const [path, value] of Object.entries(defaults(now))) {
    if (get(request, path) !== undefined) continue;
    set(request, path, value);
    assumed.push(`${path}=${Array.isArray(value) ? `[${value.join(',')}]` : String(value)}`);
  }
  if (request.programme === undefined) throw new UsageError('name the programme: --programme <id> (see `anshin coverage programmes`)');
  if (!check.check(request)) throw new UsageError(`the request does not match the contract: ${describeIssues(check.issues(request, 5))}`);
  const unreal = findUnrealTime(CoverageRequest, request);
  if (unreal) throw new UsageError(`the request's ${unreal} is not a real time`);
  return { request, assumed };
}

export async function coverageAssess(o: AssessCliOptions): Promise<void> {
  const now = o.now ? Date.parse(o.now) : Date.now();
  const { request, assumed } = await buildRequest(o, now);
  const catalogue = await loadProgrammes(o.programmes ?? PROGRAMMES_DIR);
  const programme = catalogue.get(request.programme);
  if (!programme) {
    const guess = nearest(request.programme, catalogue.ids());
    throw new UsageError(`unknown programme ${request.programme}${guess ? `; did you mean ${guess}?` : ''} (known: ${catalogue.ids().join(', ')})`);
  }
  let answer: CoverageAnswer;
  try {
    answer = assess(programme, request, { now });
  } catch (err) {
    if (err instanceof CoverageInputError) throw new UsageError(`${err.message}; give it in --file, with its flag or with --set`);
    throw err;
  }
  if (assumed.length > 0) process.stderr.write(`assumed (not given): ${assumed.join(', ')}\n`);
  process.stdout.write(o.json ? `${JSON.stringify(answer, null, 2)}\n` : answerText(answer, request));
}

export async function coverageProgrammes(o: { programmes?: string; json?: boolean }): Promise<void> {
  const list = (await loadProgrammes(o.programmes ?? PROGRAMMES_DIR)).list(Date.now());
  if (o.json) {
    process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
    return;
  }
  for (const p of list.programmes) {
    process.stdout.write(`${p.id}  ${p.name}\n`);
    for (const v of p.versions) process.stdout.write(`  from ${v.effectiveFrom}${v.effectiveFrom === p.inForce ? ' (in force today)' : ''}${v.note ? `: ${v.note}` : ''}\n`);
  }
}
