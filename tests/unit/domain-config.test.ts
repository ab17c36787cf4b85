/**
 * The configurable numbers of the rules, from the environment to the decision: IMPACT_DELTA_V_KMH (D1.2)
 * and LOCKOUT_MINUTES (D3.5), through loadConfig and the real IncidentService on a VirtualClock.
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { isoTime, topics, type VehicleEvent } from '../../protocol/index.js';
import { VirtualClock } from '../../lib/clock/index.js';
import { loadConfig } from '../../services/config.js';
import { IncidentService } from '../../services/incident/service.js';
import { MemoryStore } from '../../services/incident/store/memory-store.js';
import { MINUTE, T0, VIN, event, idFactory } from '../helpers/domain-pipeline.js';

function service(env: Record<string, string>) {
  const clock = new VirtualClock(T0);
  const store = new MemoryStore();
  const svc = new IncidentService({ store, clock, config: loadConfig(env), logger: pino({ level: 'silent' }), newId: idFactory('cfg'), outbound: { publish: () => {} } });
  const send = (e: VehicleEvent) => svc.ingest(topics.event(e.vin, e.type), Buffer.from(JSON.stringify(e)));
  return { clock, store, svc, send };
}

describe('configurable rule numbers', () => {
  it('D1.2 with IMPACT_DELTA_V_KMH unset the threshold is 8 km/h: 7.9 is recorded, 8 opens a priority-1 case', async () => {
    const { store, svc, send } = service({});
    await send(event('impact', { eventId: 'below', data: { deltaVKmh: 7.9 } }));
    expect(await store.listCases('open')).toEqual([]);
    await send(event('impact', { eventId: 'at', data: { deltaVKmh: 8 } }));
    expect((await store.listCases('open')).map((c) => [c.eventId, c.priority])).toEqual([['at', 1]]);
    expect((await store.listImpacts(VIN)).map((i) => [i.eventId, i.escalated])).toEqual([
      ['below', false],
      ['at', true],
    ]);
    await svc.stop();
  });

  it('D1.2 IMPACT_DELTA_V_KMH=12 moves the threshold: 11.9 is recorded, 12 escalates', async () => {
    const { store, svc, send } = service({ IMPACT_DELTA_V_KMH: '12' });
    await send(event('impact', { data: { deltaVKmh: 11.9 } }));
    expect(await store.listCases('open')).toEqual([]);
    await send(event('impact', { data: { deltaVKmh: 12 } }));
    expect((await store.listCases('open')).map((c) => c.trigger)).toEqual(['impact']);
    await svc.stop();
  });

  it('D3.5 with LOCKOUT_MINUTES unset the lockout ends 60 minutes after clear-down, by its timer', async () => {
    const { clock, store, svc, send } = service({});
    await send(event('airbag'));
    const [c] = await store.listCases('open');
    await clock.advance(4 * MINUTE);
    await svc.operatorAction({ kind: 'hangup', caseId: c!.id, operatorId: 'op-1' });
    expect((await svc.lockout(VIN)).until).toBe(isoTime(T0 + 64 * MINUTE));
    await clock.advanceTo(T0 + 64 * MINUTE - 1);
    expect((await store.loadVehicle(VIN)).vehicle.lockout.until).not.toBeNull();
    await clock.advanceTo(T0 + 64 * MINUTE);
    expect((await store.loadVehicle(VIN)).vehicle.lockout).toEqual({ features: [], holdingSessionIds: [], until: null });
    await svc.stop();
  });

  it('D3.5 LOCKOUT_MINUTES=15 shortens the lockout to 15 minutes after clear-down', async () => {
    const { clock, store, svc, send } = service({ LOCKOUT_MINUTES: '15' });
    await send(event('sos'));
    const [c] = await store.listCases('open');
    await svc.operatorAction({ kind: 'hangup', caseId: c!.id, operatorId: 'op-1' });
    expect((await svc.lockout(VIN)).until).toBe(isoTime(T0 + 15 * MINUTE));
    await clock.advance(15 * MINUTE);
    expect((await svc.lockout(VIN)).active).toBe(false);
    await svc.stop();
  });
});
