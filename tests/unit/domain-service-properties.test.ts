/**
 * The same random histories and invariants as domain-properties, driven through the service's own front
 * door (a domain spec, domain-spec.ts): events go in as MQTT payloads through the ingest stages
 * (decode -> validate -> dedupe -> decide+persist), operator actions and the owner's requests through
 * IncidentService's methods, and the lockout ends only when the LockoutScheduler's timer fires on the
 * VirtualClock (no manual expiry). Everything the service publishes is checked against the protocol
 * schemas by the spec's recording outbound.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { VehicleEvent } from '../../protocol/index.js';
import { DomainError, type DomainErrorCode } from '../../services/incident/domain-errors.js';
import { EventSource, Invariants, VINS, histories, nextEdge, pickAction, type Step } from '../helpers/domain-histories.js';
import { domainSpec } from '../helpers/domain-spec.js';
import { send } from '../helpers/domain-steps.js';

const RUNS = 100;
/** What the rules may refuse an operator of a random history (HTTP 409). */
const OPERATOR_REFUSALS: DomainErrorCode[] = ['case_closed', 'case_taken', 'call_not_active', 'call_active'];

function refusedWith(err: unknown, codes: DomainErrorCode[]): boolean {
  return err instanceof DomainError && codes.includes(err.code);
}

class ServiceWorld {
  readonly spec = domainSpec();
  readonly rejections: string[] = [];
  readonly events = new EventSource();
  readonly invariants = new Invariants(this.spec.store);

  private async deliver(e: VehicleEvent): Promise<void> {
    for (const r of [await send(e).run(this.spec)].flat()) if (r.status !== 'ok') this.rejections.push(r.status === 'dead-lettered' ? r.reason : r.status);
  }

  async apply(s: Step): Promise<void> {
    const { service, clock, store } = this.spec;
    const now = clock.now();
    switch (s.k) {
      case 'event':
        await this.deliver(this.events.next(s, now));
        return;
      case 'race': {
        // two deliveries in flight at once: a redelivery racing itself, or two events of one car
        const e1 = this.events.next(s, now);
        const e2 = s.same ? e1 : this.events.next(s.other, now, e1.vin);
        await Promise.all([this.deliver(e1), this.deliver(e2)]);
        return;
      }
      case 'op': {
        const picked = await pickAction(store, s);
        if (!picked) return;
        try {
          await service.operatorAction(picked.action);
        } catch (err) {
          if (!refusedWith(err, OPERATOR_REFUSALS)) throw err;
        }
        return;
      }
      case 'advance':
        await clock.advance(s.ms);
        return;
      case 'edge': {
        const at = await nextEdge(store, now, s.offset);
        if (at !== null) await clock.advanceTo(at);
        return;
      }
      case 'expire':
        // no manual expiry here: the scheduler's timers must do it; just let a second pass
        await clock.advance(1_000);
        return;
      case 'owner': {
        // D3.1 / D3.2: the owner's app is refused (locked_out, HTTP 423) exactly while the API shows the feature locked
        const vin = VINS[s.vin]!;
        const feature = s.wifi === null ? 'remote_operations' : 'wifi';
        const locked = (await service.lockout(vin)).features.includes(feature);
        try {
          if (s.wifi === null) await service.remoteOperation(vin, 'door_lock');
          else await service.setWifi(vin, s.wifi);
          expect(locked, `${feature} allowed during its lockout`).toBe(false);
          if (s.wifi !== null) this.invariants.ownerWifi.set(vin, s.wifi);
        } catch (err) {
          if (!refusedWith(err, ['locked_out'])) throw err;
          expect(locked, `${feature} refused without a lockout`).toBe(true);
        }
        return;
      }
    }
  }

  /** D3.5, service side: once the clock is past a lockout's end, its timer has fired and cleared it. */
  async checkTimers(): Promise<void> {
    for (const vin of VINS) {
      const { lockout } = (await this.spec.store.loadVehicle(vin)).vehicle;
      if (lockout.holdingSessionIds.length > 0 || lockout.until === null) continue;
      expect(lockout.until, `stale lockout of ${vin} not expired by its timer`).toBeGreaterThan(this.spec.clock.now());
    }
  }
}

describe('domain properties through IncidentService (MQTT ingest, operator actions, lockout timers)', () => {
  it('D2.2 D2.5 D3.2 D3.5 contract: the same invariants hold end to end, and every lockout timer fires on time', async () => {
    await fc.assert(
      fc.asyncProperty(histories, async (steps) => {
        const w = new ServiceWorld();
        try {
          for (const s of steps) {
            await w.apply(s);
            await w.invariants.check(w.spec.clock.now(), w.spec.feed, w.spec.allCommands());
            await w.checkTimers();
          }
          // only redeliveries are refused, and nothing the service sent broke its schema
          expect(new Set(w.rejections)).toEqual(new Set(w.rejections.length ? ['duplicate'] : []));
          expect(w.spec.violations).toEqual([]);
          w.invariants.tally('service', RUNS, w.spec.allCommands());
        } finally {
          await w.spec.stop();
        }
      }),
      { numRuns: RUNS },
    );
  });
});
