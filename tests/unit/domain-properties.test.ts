/**
 * Properties of the rules over random histories: events of all six types on a few cars (with
 * redeliveries and two-instance races), operator actions by several operators, lockout expiry and
 * clock advances, applied through decide + MemoryStore.commit as the ingest pipeline does.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decideEvent } from '../../services/incident/domain/index.js';
import { EventSource, Invariants, VINS, histories, nextEdge, pickAction, type Step } from '../helpers/domain-histories.js';
import { DomainPipeline } from '../helpers/domain-pipeline.js';

const RUNS = 200;

class World {
  readonly p = new DomainPipeline();
  readonly events = new EventSource();
  readonly invariants = new Invariants(this.p.store);

  async apply(s: Step): Promise<void> {
    const p = this.p;
    switch (s.k) {
      case 'event':
        await p.event(this.events.next(s, p.clock.now()));
        return;
      case 'race': {
        // two instances decide on the same version of the car
        const e1 = this.events.next(s, p.clock.now());
        const e2 = s.same ? e1 : this.events.next(s.other, p.clock.now(), e1.vin);
        const aggregate = await p.load(e1.vin);
        const d1 = decideEvent(aggregate, e1, p.ctx());
        const d2 = decideEvent(aggregate, e2, p.ctx());
        const first = await p.commit(aggregate, d1, e1.eventId);
        const second = await p.commit(aggregate, d2, e2.eventId);
        if (s.same) {
          // a redelivery racing itself: committed at most once, and the loser is told it is a duplicate
          expect(second.status, 'the same event committed twice').not.toBe('ok');
          if (first.status === 'ok') expect(second.status).toBe('duplicate');
        } else if (second.status === 'conflict') {
          await p.event(e2); // the losing instance reads again and decides again
        }
        return;
      }
      case 'op': {
        const picked = await pickAction(p.store, s);
        if (picked) await p.act(picked.vin, picked.action);
        return;
      }
      case 'advance':
        await p.advance(s.ms);
        return;
      case 'edge': {
        const at = await nextEdge(p.store, p.clock.now(), s.offset);
        if (at !== null) await p.clock.advanceTo(at);
        return;
      }
      case 'expire':
        await p.expire(VINS[s.vin]!);
        return;
      case 'owner':
        return; // the owner's app goes through the service, not the pure rules (see domain-service-properties)
    }
  }
}

describe('domain properties over random histories (decide + MemoryStore.commit)', () => {
  it('D2.2 D2.5 D3.2 D3.5 contract: no duplicate cases, no car hang-up of auto calls, lockouts never end early, Wi-Fi mirrored, gapless feed', async () => {
    await fc.assert(
      fc.asyncProperty(histories, async (steps) => {
        const w = new World();
        for (const s of steps) {
          await w.apply(s);
          await w.invariants.check(w.p.clock.now(), w.p.feed, w.p.commands);
        }
        w.invariants.tally('pipeline', RUNS, w.p.commands);
      }),
      { numRuns: RUNS },
    );
  });
});
