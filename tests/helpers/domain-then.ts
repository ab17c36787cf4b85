/**
 * Expectations of a domain spec (domain-spec.ts), each about what the `when` steps did or the state
 * they left: what the car was sent, the lockout the API enforces, the feed, cases, calls, alarms.
 * Any `(outcome) => …` function is an expectation too.
 */
import { expect } from 'vitest';
import { isoTime, topics, type AnyFeedMessage, type Case, type CommandBody, type LockoutView, type RecordedImpact, type Trigger, type VoiceSession } from '../../protocol/index.js';
import type { VehicleState } from '../../services/incident/domain/index.js';
import { VIN } from './domain-fixtures.js';
import type { CaseRef, Expectation, Outcome } from './domain-spec.js';

type Cmd = CommandBody['cmd'];
type BodyOf<C extends Cmd> = Extract<CommandBody, { cmd: C }>;
type Loose<T> = { [K in keyof T]?: unknown };

/** In an expected command, the id of the call of the car's latest case. */
export const SESSION = '$session';
/** In an expected command, the id of the call of the car's latest `trigger` case. */
export const sessionOf = (trigger: Trigger) => `${SESSION}:${trigger}`;

async function withSessions<T extends object>(o: Outcome, vin: string, body: T): Promise<T> {
  const id = (body as { sessionId?: unknown }).sessionId;
  if (typeof id !== 'string' || !id.startsWith(SESSION)) return body;
  const trigger = id.split(':')[1] as Trigger | undefined;
  return { ...body, sessionId: (await o.spec.caseOf({ vin, ...(trigger ? { trigger } : {}) })).sessionId };
}

/**
 * The commands the car got in the `when` steps, in order. Either all of them (a cmd name stands for any
 * command of that kind, a body must be equal), or only those of one kind: `commands('notice', [{ code }])`.
 */
export function commands(expected: (Cmd | CommandBody)[], opts?: { vin?: string }): Expectation;
export function commands<C extends Cmd>(cmd: C, expected: Omit<BodyOf<C>, 'cmd'>[], opts?: { vin?: string }): Expectation;
export function commands(a: Cmd | (Cmd | CommandBody)[], b?: object[] | { vin?: string }, c?: { vin?: string }): Expectation {
  return async (o) => {
    if (typeof a === 'string') {
      const vin = c?.vin ?? VIN;
      const want = await Promise.all((b as object[]).map((body) => withSessions(o, vin, { cmd: a, ...body })));
      expect(o.commands(vin).filter((x) => x.cmd === a), `${a} commands to ${vin}`).toEqual(want);
      return;
    }
    const vin = (b as { vin?: string } | undefined)?.vin ?? VIN;
    const want = await Promise.all(a.map((x) => (typeof x === 'string' ? x : withSessions(o, vin, x))));
    const got = o.commands(vin).map((body, i) => (typeof a[i] === 'string' ? body.cmd : body));
    expect(got, `commands to ${vin}`).toEqual(want);
  };
}

/** The lockout the API enforces after the steps; `until` as epoch ms or ISO time. */
export function lockout(expected: Loose<Omit<LockoutView, 'until'>> & { until?: number | string | null }, vin = VIN): Expectation {
  const { until, ...rest } = expected;
  const want = { ...rest, ...(until !== undefined ? { until: typeof until === 'number' ? isoTime(until) : until } : {}) };
  return async (o) => expect(await o.spec.lockout(vin), `lockout of ${vin}`).toMatchObject(want);
}

/** The feed messages of the steps, by type, in order. */
export function feed(types: AnyFeedMessage['type'][]): Expectation {
  return (o) => expect(o.feed.map((m) => m.type as AnyFeedMessage['type'])).toEqual(types);
}

/** Exactly these cases were opened by the steps, in order (none: `opened()`). */
export function opened(...cases: Loose<Case>[]): Expectation {
  return (o) => {
    const got = o.feed.flatMap((m) => (m.type === 'case.opened' ? [m.case] : []));
    expect(got.map((x) => x.trigger), 'cases opened').toHaveLength(cases.length);
    cases.forEach((want, i) => expect(got[i]).toMatchObject(want));
  };
}

/** Matches `expected`; a key given as undefined must be absent. */
function matches(actual: unknown, expected: object, what: string): void {
  const present = Object.fromEntries(Object.entries(expected).filter(([, v]) => v !== undefined));
  expect(actual, what).toMatchObject(present);
  for (const [k, v] of Object.entries(expected)) if (v === undefined) expect((actual as Record<string, unknown>)[k], `${what}: ${k}`).toBeUndefined();
}

/** The stored call of the car's latest case (of `trigger`); it names its case and the case names it. */
export function call(expected: Loose<VoiceSession>, ref: CaseRef = {}): Expectation {
  return async (o) => {
    const c = await o.spec.caseOf(ref);
    const s = await o.spec.store.getSession(c.sessionId);
    matches(s, { id: c.sessionId, caseId: c.id, vin: c.vin, ...expected }, `call of case ${c.id}`);
  };
}

/** The stored state of the car's latest case (of `trigger`). */
export function theCase(expected: Loose<Case>, ref: CaseRef = {}): Expectation {
  return async (o) => {
    const c = await o.spec.caseOf(ref);
    matches(c, expected, `case ${c.id}`);
  };
}

/** The open queue, in order: a trigger, or a case to match. */
export function queue(expected: (Trigger | Loose<Case>)[]): Expectation {
  return async (o) => {
    const open = await o.spec.store.listCases('open');
    expect(open.map((c, i) => (typeof expected[i] === 'string' ? c.trigger : c)), 'open queue').toMatchObject(expected);
  };
}

/** The car's stored state (power mode, Wi-Fi, the lockout as stored). */
export function vehicle(expected: Loose<VehicleState>, vin = VIN): Expectation {
  return async (o) => expect((await o.spec.store.loadVehicle(vin)).vehicle, `vehicle ${vin}`).toMatchObject(expected);
}

/** The impacts recorded for the car, all of them (D1.2). */
export function impacts(expected: Loose<RecordedImpact>[], vin = VIN): Expectation {
  return async (o) => expect(await o.spec.store.listImpacts(vin)).toEqual(expected.map((i) => expect.objectContaining(i)));
}

/** D3.1: the steps recorded one security alarm with this status; the partner got it only if delivered. */
export function alarm(status: 'delivered' | 'suppressed', vin = VIN): Expectation {
  return async (o) => {
    const alerts = await o.spec.store.listAlerts(vin);
    expect(alerts.length - o.alertsBefore(vin), 'alarms recorded').toBe(1);
    expect(alerts.at(-1)?.status).toBe(status);
    expect(o.on(topics.partnerAlarm(vin))).toEqual(status === 'delivered' ? [alerts.at(-1)] : []);
  };
}

/** The steps changed nothing: nothing sent to the car or the partner, no feed, the car's version kept. */
export function unchanged(vin = VIN): Expectation {
  return async (o) => {
    expect(o.sent.filter((s) => s.topic !== topics.deadLetter), 'sent').toEqual([]);
    expect(o.feed, 'feed').toEqual([]);
    expect((await o.spec.store.loadVehicle(vin)).vehicle.version, `version of ${vin}`).toBe(o.versionBefore(vin));
  };
}

/** The rules refused the last step with `code` (and these details), and nothing changed. */
export function refused(code: string, details?: Record<string, unknown>, vin = VIN): Expectation {
  return async (o) => {
    expect(o.result).toMatchObject({ status: 'refused', code, ...(details ? { details } : {}) });
    await unchanged(vin)(o);
  };
}

/** Contract: the last step was a redelivery: dead-lettered as duplicate_event, and nothing changed. */
export function duplicate(vin = VIN): Expectation {
  return async (o) => {
    expect(o.result.status).toBe('duplicate');
    expect(o.on(topics.deadLetter)).toEqual([expect.objectContaining({ reason: 'duplicate_event', topic: expect.stringContaining(vin) })]);
    await unchanged(vin)(o);
  };
}
