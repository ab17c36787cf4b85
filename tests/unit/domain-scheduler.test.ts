/**
 * D3.5 across a restart: lockout end times live in the store, and a new IncidentService re-arms their
 * timers at start-up, so a lockout ends on time even if the instance that set it is gone, and one that
 * fell due while no instance ran ends at once.
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { topics } from '../../protocol/index.js';
import { VirtualClock } from '../../lib/clock/index.js';
import { loadConfig } from '../../services/config.js';
import { IncidentService } from '../../services/incident/service.js';
import { MemoryStore } from '../../services/incident/store/memory-store.js';
import { LOCKOUT_MS, MINUTE, T0, VIN, event, idFactory } from '../helpers/domain-pipeline.js';

let instances = 0;

function instance(store: MemoryStore, clock: VirtualClock, published: { topic: string; payload: Record<string, unknown> }[]) {
  return new IncidentService({
    store,
    clock,
    config: loadConfig({}),
    logger: pino({ level: 'silent' }),
    newId: idFactory(`inst${++instances}`),
    // A broker that takes every message (its confirmation empties the outbox).
    outbound: {
      publish: (topic, payload, _options, done) => {
        published.push({ topic, payload: JSON.parse(payload) as Record<string, unknown> });
        done?.();
      },
    },
  });
}

/** Given: an SOS call cleared at T0 + 1 min on instance one, which then stops. */
async function givenClearedSosThenStopped() {
  const clock = new VirtualClock(T0);
  const store = new MemoryStore();
  const published: { topic: string; payload: Record<string, unknown> }[] = [];
  const one = instance(store, clock, published);
  const sos = event('sos');
  await one.ingest(topics.event(VIN, 'sos'), Buffer.from(JSON.stringify(sos)));
  const [c] = await store.listCases('open');
  await clock.advance(MINUTE);
  await one.operatorAction({ kind: 'hangup', caseId: c!.id, operatorId: 'op-1' });
  await one.stop();
  return { clock, store, published, until: T0 + MINUTE + LOCKOUT_MS };
}

describe('D3.5 lockout timers survive a restart', () => {
  it('D3.5 a lockout that fell due while no instance ran ends as soon as the next instance starts, and Wi-Fi comes back', async () => {
    const { clock, store, published, until } = await givenClearedSosThenStopped();
    await clock.advanceTo(until + 30 * MINUTE);
    // nothing ran: the stored lockout is still there
    expect((await store.loadVehicle(VIN)).vehicle.lockout.until).toBe(until);
    const two = instance(store, clock, published);
    await two.start();
    await clock.advance(0);
    expect((await store.loadVehicle(VIN)).vehicle.lockout).toEqual({ features: [], holdingSessionIds: [], until: null });
    const wifi = published.filter((p) => p.topic === topics.commands(VIN) && p.payload.cmd === 'wifi').map((p) => p.payload.enabled);
    expect(wifi).toEqual([false, true]);
    const retained = published.filter((p) => p.topic === topics.lockout(VIN)).at(-1)?.payload;
    expect(retained).toMatchObject({ active: false, features: [], until: null });
    await two.stop();
  });

  it('D3.5 a lockout still running at restart is re-armed and ends exactly at its end, not before', async () => {
    const { clock, store, published, until } = await givenClearedSosThenStopped();
    await clock.advance(10 * MINUTE);
    const two = instance(store, clock, published);
    await two.start();
    await clock.advanceTo(until - 1);
    expect((await two.lockout(VIN)).active).toBe(true);
    expect((await store.loadVehicle(VIN)).vehicle.lockout.until).toBe(until);
    await clock.advanceTo(until);
    expect((await store.loadVehicle(VIN)).vehicle.lockout.until).toBeNull();
    await two.stop();
  });
});
