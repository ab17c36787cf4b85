import type { Scenario } from '../../protocol/index.js';
import type { Clock } from '../../lib/clock/index.js';
import { storm, type Fleet } from '../fleet/index.js';
import { durationMs } from './duration.js';
import type { OperatorClient } from './http-client.js';
import type { StepResult } from './report.js';
import { poll, settle } from './wait.js';

/** Runs the fleet-wide timeline (crash storms and their expectations). */
export async function runFleetTimeline(
  spec: NonNullable<Scenario['fleet']>,
  fleet: Fleet,
  ctx: { clock: Clock; startedAt: number; http: OperatorClient | undefined; record(r: StepResult): void },
): Promise<void> {
  const { clock } = ctx;
  const vins = new Set(fleet.members.map((m) => m.car.vin));
  for (const step of spec.timeline) {
    const planned = durationMs(step.at);
    const wait = ctx.startedAt + planned - clock.now();
    if (wait > 0) await new Promise<void>((r) => clock.setTimer(wait, r));
    const ranMs = clock.now() - ctx.startedAt;
    const rec = (action: string, ok: boolean, detail: string) => ctx.record({ who: 'fleet', plannedMs: planned, ranMs, action, ok, detail });
    if (step.storm) {
      const within = durationMs(step.storm.within);
      const t0 = clock.now();
      await storm(fleet, clock, step.storm.crashes, within);
      rec(`storm ${step.storm.crashes} crashes in ${within} ms`, true, `fired in ${clock.now() - t0} ms`);
      await settle(clock);
      continue;
    }
    const e = step.expect!;
    const within = e.within !== undefined ? durationMs(e.within) : 5000;
    if (e.eventsAcked !== undefined) {
      const want = e.eventsAcked;
      const t0 = clock.now();
      const ok = await poll(clock, within, () => (fleet.summary().eventsAcked >= want ? true : undefined), 50);
      const s = fleet.summary();
      rec(`expect eventsAcked >= ${want}`, ok === true, `${s.eventsAcked} acknowledged of ${s.eventsSent} after ${clock.now() - t0} ms`);
    }
    if (e.openCasesAtLeast !== undefined) {
      const want = e.openCasesAtLeast;
      const t0 = clock.now();
      let seen = 0;
      let error = '';
      const ok = ctx.http
        ? await poll(clock, within, async () => {
            try {
              seen = (await ctx.http!.cases('open')).filter((c) => vins.has(c.vin)).length;
            } catch (err) {
              error = (err as Error).message;
            }
            return seen >= want ? true : undefined;
          }, 500)
        : undefined;
      rec(`expect openCases >= ${want}`, ok === true, ctx.http ? `${seen} open cases of this fleet after ${clock.now() - t0} ms${error ? `; ${error}` : ''}` : 'needs the HTTP API (--http-url)');
    }
    await settle(clock);
  }
}
