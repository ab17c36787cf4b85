import type { Case, Command, Expectation } from '../../protocol/index.js';
import type { Clock } from '../../lib/clock/index.js';
import type { SimulatedCar } from '../car/index.js';
import { durationMs } from './duration.js';
import { poll } from './wait.js';

export const DEFAULT_WITHIN_MS = 5000;

export interface ExpectContext {
  clock: Clock;
  car: SimulatedCar;
  /** Commands the car received after its previous action step. */
  commandsSinceAction(): Command[];
  /** `exact`: the case of the newest trigger event; otherwise the newest case among the car's trigger events. */
  caseOfNewestEvent(exact: boolean): Promise<Case | undefined>;
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

