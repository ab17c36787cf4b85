/**
 * Properties of the rules over random histories: events of all six types on a few cars (with
 * redeliveries and two-instance races), operator actions by several operators, lockout expiry and
 * clock advances, applied through the real ingest and core on a MemoryStore. The expiry runs only when
 * a history says so (timers off), at any time, early or late: the invariants must hold either way. The
 * timer-driven twin is domain-service-properties.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventSource, Invariants, VINS, histories, nextEdge, pickAction, type Step } from '../helpers/domain-histories.js';
import { domainSpec } from '../helpers/domain-spec.js';
import { after, at, expire, operator, race, send } from '../helpers/domain-steps.js';

const RUNS = 200;

class World {
  readonly spec = domainSpec({ timers: false });
  readonly events = new EventSource();
  readonly invariants = new Invariants(this.spec.store);

  async apply(s: Step): Promise<void> {
    const { spec } = this;
    const now = spec.clock.now();
    switch (s.k) {
      case 'event':
        await spec.run(send(this.events.next(s, now)));
        return;
      case 'race': {
        // two instances decide on the same version of the car
        const e1 = this.events.next(s, now);
        const e2 = s.same ? e1 : this.events.next(s.other, now, e1.vin);
        const { results } = await spec.run(race(send(e1), send(e2)));
        const statuses = results.map((r) => r.status);
        if (s.same) {
          // a redelivery racing itself: committed at most once, and the loser is told it is a duplicate
          expect(statuses.filter((x) => x === 'ok').length, 'the same event committed twice').toBeLessThanOrEqual(1);
          expect(statuses.every((x) => x === 'ok' || x === 'duplicate')).toBe(true);
        } else {
          // the losing instance read again and decided again: both are in (the first may be a redelivery)
          expect(['ok', 'duplicate']).toContain(statuses[0]);
          expect(statuses[1]).toBe('ok');
        }
        return;
      }
      case 'op': {
        const picked = await pickAction(spec.store, s);
        if (picked) {
          const { kind, caseId, operatorId } = picked.action;
          await spec.run(operator(kind, { caseId, vin: picked.vin, by: operatorId, resolution: 'resolved' }));
        }
        return;
      }
      case 'advance':
        await spec.run(after(s.ms));
        return;
      case 'edge': {
        const edge = await nextEdge(spec.store, now, s.offset);
        if (edge !== null) await spec.run(at(edge));
        return;
      }
      case 'expire':
        await spec.run(expire(VINS[s.vin]!));
        return;
      case 'owner':
        return; // the owner's app is exercised through the service (see domain-service-properties)
    }
  }
}

describe('domain properties over random histories (ingest + IncidentCore, expiry when the history says)', () => {
  it('D2.2 D2.5 D3.2 D3.5 contract: no duplicate cases, no car hang-up of auto calls, lockouts never end early, Wi-Fi mirrored, gapless feed', async () => {
    await fc.assert(
      fc.asyncProperty(histories, async (steps) => {
        const w = new World();
        for (const s of steps) {
          await w.apply(s);
          await w.invariants.check(w.spec.clock.now(), w.spec.feed, w.spec.allCommands());
        }
        w.invariants.tally('pipeline', RUNS, w.spec.allCommands());
      }),
      { numRuns: RUNS },
    );
  });
});
