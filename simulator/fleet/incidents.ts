import type { Clock, TimerHandle } from '../../lib/clock/index.js';
import type { Fleet, FleetMember } from './fleet.js';

/**
 * Crashes one car: it stops on the road and fires an airbag (60 %) or an impact over the D1.2 threshold.
 * The event's promise is watched so an unacknowledged one is counted, not thrown.
 */
export function crash(fleet: Fleet, m: FleetMember): void {
  m.crashed = true;
  m.driver.speedKmh = 0;
  const { car } = m;
  const p = fleet.rng.next() < 0.6 ? car.airbag() : car.impact(Math.round(fleet.rng.range(15, 60)), fleet.rng.pick(['front', 'rear', 'left', 'right'] as const));
  p.catch(() => {}); // counted by the car (eventsSent vs eventsAcked, pending)
}

/** Crashes at `perMinute` on average across the fleet (a Poisson process on the clock). */
export function startCrashes(fleet: Fleet, clock: Clock, perMinute: number): () => void {
  if (perMinute <= 0) return () => {};
  let handle: TimerHandle | undefined;
  const arm = () => {
    const gapMs = (-Math.log(1 - fleet.rng.next()) / perMinute) * 60_000;
    handle = clock.setTimer(gapMs, () => {
      const m = fleet.pickCar();
      if (m) crash(fleet, m);
      if (handle) arm();
    });
  };
  arm();
  return () => {
    if (handle) clock.clearTimer(handle);
    handle = undefined;
  };
}

/**
 * `count` crashes spread over `withinMs` (e.g. an earthquake: 1,000 within one second), fired in 10 ms
 * slots so that a thousand crashes cost a hundred timers, not a thousand.
 */
export function storm(fleet: Fleet, clock: Clock, count: number, withinMs: number): Promise<void> {
  const victims: FleetMember[] = [];
  for (const m of fleet.members) {
    if (victims.length >= count) break;
    if (!m.crashed && m.car.connected) victims.push(m);
  }
  const slots = Math.max(1, Math.min(victims.length, Math.ceil(withinMs / 10)));
  const bySlot: FleetMember[][] = Array.from({ length: slots }, () => []);
  victims.forEach((m, i) => {
    m.crashed = true;
    bySlot[Math.floor((i * slots) / victims.length)]!.push(m);
  });
  return new Promise((resolve) => {
    if (victims.length === 0) return resolve();
    let left = slots;
    bySlot.forEach((group, k) => {
      clock.setTimer((withinMs * k) / slots, () => {
        for (const m of group) crash(fleet, m);
        if (--left === 0) resolve();
      });
    });
  });
}
