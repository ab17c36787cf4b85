import type { Case, Command, Expectation } from '../../protocol/index.js';
import type { Clock } from '../../lib/clock/index.js';
import type { SimulatedCar } from '../car/index.js';
import { durationMs } from './duration.js';
import type { OperatorClient } from './http-client.js';
import { poll } from './wait.js';

export const DEFAULT_WITHIN_MS = 5000;

export interface ExpectContext {
  clock: Clock;
  car: SimulatedCar;
  /** Commands the car received after its previous action step. */
  commandsSinceAction(): Command[];
  /** `exact`: the case of the newest trigger event; otherwise the newest case among the car's trigger events. */
  caseOfNewestEvent(exact: boolean): Promise<Case | undefined>;
  /** The operator's HTTP client (the tracking link's expectations read `GET /v1/track/{token}`). */
  http?: OperatorClient;
}

/** Checks one `expect:` step, polling on the clock up to `within`; throws with what was seen instead. */
export async function checkExpectation(e: Expectation, ctx: ExpectContext): Promise<string> {
  const within = e.within !== undefined ? durationMs(e.within) : DEFAULT_WITHIN_MS;
  const { clock } = ctx;
  const done: string[] = [];
  if (e.command) {
    const want = e.command as Record<string, unknown>;
    const hit = await poll(clock, within, () => ctx.commandsSinceAction().find((c) => Object.entries(want).every(([k, v]) => (c as Record<string, unknown>)[k] === v)), 20);
    if (!hit) throw new Error(`no command ${JSON.stringify(want)} within ${within} ms; got ${ctx.commandsSinceAction().map(brief).join(', ') || 'none'}`);
    done.push(brief(hit));
  }
  if (e.lockout) {
    const want = e.lockout;
    const effective = () => ctx.car.state.lockout.active && (ctx.car.state.lockout.until === null || Date.parse(ctx.car.state.lockout.until) > clock.now());
    const ok = await poll(clock, within, () => (effective() === want.active && (want.features ?? []).every((f) => ctx.car.isLocked(f)) ? true : undefined), 50);
    const l = ctx.car.state.lockout;
    if (!ok) throw new Error(`lockout is ${JSON.stringify(l)}, expected ${JSON.stringify(want)}`);
    done.push(`lockout active=${effective()} [${l.features.join(',')}] until ${l.until ?? 'call cleared + lockout'}`);
  }
  if (e.audioMuted !== undefined) {
    const ok = await poll(clock, within, () => (ctx.car.state.audioMuted === e.audioMuted ? true : undefined), 20);
    if (!ok) throw new Error(`audioMuted is ${ctx.car.state.audioMuted}`);
    done.push(`audioMuted ${e.audioMuted}`);
  }
  if (e.case) {
    const want = e.case as Record<string, unknown>;
    const c = await poll(clock, within, async () => {
      const found = await ctx.caseOfNewestEvent(false);
      return found && Object.entries(want).every(([k, v]) => (found as Record<string, unknown>)[k] === v) ? found : undefined;
    }, 200);
    if (!c) throw new Error(`no case matching ${JSON.stringify(want)} for ${ctx.car.vin} within ${within} ms`);
    done.push(`case ${c.id} ${c.trigger} p${c.priority} ${c.status}`);
  }
  if (e.dispatches || e.severity || e.triggers !== undefined) done.push(await caseDetails(e, within, ctx));
  if (e.appMessages !== undefined) {
    // D4.6: what the owner's app was told (the simulated car subscribes to its app-messages topic).
    const count = () => ctx.car.appMessages.filter((m) => m.kind === 'service_car_dispatched').length;
    const ok = await poll(clock, within, () => (count() === e.appMessages ? true : undefined), 50);
    if (!ok) throw new Error(`the owner's app got ${count()} service_car_dispatched messages, expected ${e.appMessages}`);
    done.push(`${count()} app message(s)`);
  }
  if (e.track) done.push(await trackDetails(e.track, within, ctx));
  if (e.noCase) {
    await new Promise<void>((r) => clock.setTimer(within, r));
    const c = await ctx.caseOfNewestEvent(true);
    if (c) throw new Error(`case ${c.id} was opened (${c.trigger}), expected none`);
    done.push(`no case after ${within} ms`);
  }
  return done.join('; ');
}

function brief(c: Command): string {
  switch (c.cmd) {
    case 'call.state':
      return `call.state ${c.state} muted=${c.audioMuted}`;
    case 'notice':
      return `notice ${c.code}`;
    case 'lockout':
      return `lockout active=${c.active} [${c.features.join(',')}]`;
    case 'wifi':
      return `wifi ${c.enabled ? 'on' : 'off'}`;
    default:
      return c.cmd;
  }
}

/** Issue 12 part 8: the case's dispatches (by agency, in order), severity band (D4.3) and joined triggers. */
async function caseDetails(e: Expectation, within: number, ctx: ExpectContext): Promise<string> {
  const matches = (c: Case) =>
    (!e.dispatches || JSON.stringify((c.dispatches ?? []).map((d) => d.agency)) === JSON.stringify(e.dispatches)) &&
    (!e.severity || c.severity?.band === e.severity) &&
    (e.triggers === undefined || (c.triggers?.length ?? 1) === e.triggers);
  let last: Case | undefined;
  const c = await poll(ctx.clock, within, async () => {
    last = await ctx.caseOfNewestEvent(false);
    return last && matches(last) ? last : undefined;
  }, 200);
  if (!c) {
    const seen = last ? `dispatches [${(last.dispatches ?? []).map((d) => d.agency).join(', ')}], severity ${last.severity?.band ?? 'none'}, triggers ${last.triggers?.length ?? 1}` : 'no case';
    throw new Error(`case for ${ctx.car.vin} does not match ${JSON.stringify({ dispatches: e.dispatches, severity: e.severity, triggers: e.triggers })} within ${within} ms: ${seen}`);
  }
  return `case ${c.id}: dispatches [${(c.dispatches ?? []).map((d) => d.agency).join(', ')}] severity ${c.severity?.band ?? 'none'} (${c.severity?.probability.toFixed(3) ?? '-'}) triggers ${c.triggers?.length ?? 1}`;
}

/** D4.6: the case's tracking link (`GET /v1/track/{token}` of its dispatch with a token). */
async function trackDetails(want: NonNullable<Expectation['track']>, within: number, ctx: ExpectContext): Promise<string> {
  const http = ctx.http;
  if (!http) throw new Error('a track expectation needs the HTTP API (--http-url)');
  let seen = 'no tracked dispatch';
  const hit = await poll(ctx.clock, within, async () => {
    const c = await ctx.caseOfNewestEvent(false);
    const token = c?.dispatches?.find((d) => d.trackToken)?.trackToken;
    if (!token) return undefined;
    const r = await http.track(token);
    if (want.ended) {
      seen = `HTTP ${r.status}`;
      return r.status === 410 ? seen : undefined;
    }
    if (r.status !== 200) {
      seen = `HTTP ${r.status}`;
      return undefined;
    }
    const v = r.body;
    seen = `service car ${v.serviceCar ? 'reported' : 'not reported'}, ETA ${v.etaMinutes ?? 'unknown'} min`;
    if (want.serviceCar !== undefined && (v.serviceCar !== null) !== want.serviceCar) return undefined;
    if (want.etaMinutesAtMost !== undefined && (v.etaMinutes === null || v.etaMinutes > want.etaMinutesAtMost)) return undefined;
    return seen;
  }, 500);
  if (!hit) throw new Error(`tracking link: ${seen}, expected ${JSON.stringify(want)} within ${within} ms`);
  return `track: ${hit}`;
}
