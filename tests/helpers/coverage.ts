import { expect } from 'vitest';
import { CoverageAnswer, CoverageRequest, validator } from '../../protocol/index.js';
import type { Catalogue } from '../../services/road-coverage/catalogue.js';
import { assess, CoverageInputError } from '../../services/road-coverage/engine.js';
import { loadProgrammes } from '../../services/road-coverage/load.js';

/** A Japan time as the contract's UTC ISO string: `jst('2024-06-01 19:59')`. */
export function jst(local: string): string {
  return new Date(`${local.replace(' ', 'T')}:00.000+09:00`).toISOString();
}

type DeepPartial<T> = { [K in keyof T]?: T[K] extends (infer U)[] ? readonly U[] : T[K] extends object ? DeepPartial<T[K]> : T[K] };
export type RequestChange = DeepPartial<CoverageRequest>;

/** An ordinary request: a private white-plate car of 1,200 kg on a road in Japan daytime, nothing asked for yet. */
export function request(programme: string, ...changes: RequestChange[]): CoverageRequest {
  const base: CoverageRequest = {
    programme,
    vehicle: { category: 'private', wheels: 4, weightKg: 1200, plate: 'white', inspectionValid: true, illegallyModified: false },
    incident: {
      at: jst('2024-06-01 12:00'),
      work: [],
      distanceFromHomeKm: 10,
      drivable: true,
      place: 'road',
      conditions: 'normal',
      driverCondition: 'normal',
      intentional: false,
      similarRequestsRecently: 0,
    },
  };
  return changes.reduce<CoverageRequest>(
    (r, c) => ({
      ...r,
      ...(c.programme ? { programme: c.programme } : {}),
      vehicle: { ...r.vehicle, ...c.vehicle },
      incident: { ...r.incident, ...c.incident } as CoverageRequest['incident'],
      ...(c.member || r.member ? { member: { ...r.member, ...c.member } } : {}),
    }),
    base,
  );
}

let shipped: Promise<Catalogue> | undefined;
/** The programme files shipped in services/road-coverage/programmes/. */
export function shippedProgrammes(): Promise<Catalogue> {
  return (shipped ??= loadProgrammes());
}

const checkRequest = validator(CoverageRequest);
const checkAnswer = validator(CoverageAnswer);

/** The engine on a shipped programme; the request and the answer are checked against protocol/coverage.ts. */
export async function assessWith(req: CoverageRequest, now = Date.parse(req.incident.at)): Promise<CoverageAnswer> {
  expect(checkRequest.issues(req), 'the request matches the contract').toEqual([]);
  const programme = (await shippedProgrammes()).get(req.programme);
  if (!programme) throw new Error(`no programme ${req.programme}`);
  const answer = assess(programme, req, { now });
  expect(checkAnswer.issues(answer), 'the answer matches the contract').toEqual([]);
  return answer;
}

/** The fields a request lacks for the programme (the engine's CoverageInputError). */
export async function missingFields(req: CoverageRequest): Promise<string[]> {
  const err = await assessWith(req).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof CoverageInputError)) throw new Error(`expected a CoverageInputError, got ${String(err)}`);
  return err.problems.map((p) => p.field);
}

export function workOf(answer: CoverageAnswer, kind: string) {
  return answer.work.find((w) => w.kind === kind);
}
