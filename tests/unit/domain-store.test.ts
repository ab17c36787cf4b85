import { describe, expect, it } from 'vitest';
import { decideEvent, decideOperatorAction, isRejection } from '../../services/incident/domain/index.js';
import { DomainPipeline, MINUTE, VIN, VIN_B, VIN_C, accepted, event } from '../helpers/domain-pipeline.js';

describe('memory store: the semantics the rules rely on', () => {
  it('contract: a redelivered event (same vin and eventId) is a duplicate and opens no second case', async () => {
    const p = new DomainPipeline();
    const first = await p.event(event('airbag', { eventId: 'ev-dup' }));
    await p.advance(MINUTE);
    const again = await p.event(event('airbag', { eventId: 'ev-dup' }));
    expect(first.result.status).toBe('ok');
    expect(again.result).toEqual({ status: 'duplicate' });
    expect(await p.store.listCases('open')).toHaveLength(1);
    expect(await p.store.hasSeenEvent(VIN, 'ev-dup')).toBe(true);
    expect(p.commandsFor().filter((c) => c.cmd === 'call.state')).toHaveLength(1);
  });

  it('contract: the same eventId from another car is a different event', async () => {
    const p = new DomainPipeline();
    await p.event(event('sos', { vin: VIN, eventId: 'same' }));
    const other = await p.event(event('sos', { vin: VIN_B, eventId: 'same' }));
    expect(other.result.status).toBe('ok');
    expect((await p.store.listCases('open')).map((c) => c.vin).sort()).toEqual([VIN, VIN_B]);
  });

  it('two instances deciding on the same version: the second commit is a conflict and leaves no trace; deciding again succeeds', async () => {
    const p = new DomainPipeline();
    const aggregate = await p.load();
    const a = decideEvent(aggregate, event('sos', { eventId: 'ev-a' }), p.ctx());
    const b = decideEvent(aggregate, event('airbag', { eventId: 'ev-b' }), p.ctx());
    expect((await p.commit(aggregate, a, 'ev-a')).status).toBe('ok');
    expect(await p.commit(aggregate, b, 'ev-b')).toEqual({ status: 'conflict' });
    expect((await p.store.listCases('open')).map((c) => c.trigger)).toEqual(['sos']);
    // the losing event is not marked seen, so the retry is not mistaken for a duplicate
    expect(await p.store.hasSeenEvent(VIN, 'ev-b')).toBe(false);
    const retry = await p.event(event('airbag', { eventId: 'ev-b' }));
    expect(retry.result.status).toBe('ok');
    expect((await p.store.listCases('open')).map((c) => c.trigger)).toEqual(['airbag', 'sos']);
  });

  it('a redelivery that two instances race on opens one case: the loser sees duplicate, not conflict, and does not retry', async () => {
    const p = new DomainPipeline();
    const aggregate = await p.load();
    const e = event('airbag', { eventId: 'ev-race' });
    const one = decideEvent(aggregate, e, p.ctx());
    const two = decideEvent(aggregate, e, p.ctx());
    expect((await p.commit(aggregate, one, e.eventId)).status).toBe('ok');
    expect(await p.commit(aggregate, two, e.eventId)).toEqual({ status: 'duplicate' });
    expect(await p.store.listCases('open')).toHaveLength(1);
  });

  it('an operator action decided on a stale version is a conflict (the answer of a second operator cannot overwrite the first)', async () => {
    const p = new DomainPipeline();
    await p.event(event('airbag'));
    const aggregate = await p.load();
    const caseId = aggregate.cases[0]!.id;
    const d1 = decideOperatorAction(aggregate, { kind: 'answer', caseId, operatorId: 'op-1' }, p.ctx());
    const d2 = decideOperatorAction(aggregate, { kind: 'answer', caseId, operatorId: 'op-2' }, p.ctx());
    if (isRejection(d1) || isRejection(d2)) throw new Error('both answers are valid on their own');
    expect((await p.commit(aggregate, d1)).status).toBe('ok');
    expect((await p.commit(aggregate, d2)).status).toBe('conflict');
    // deciding again on the fresh state refuses the second operator
    const again = decideOperatorAction(await p.load(), { kind: 'answer', caseId, operatorId: 'op-2' }, p.ctx());
    expect(isRejection(again) && again.rejected).toBe('case_taken');
    expect((await p.store.getCase(caseId))?.operatorId).toBe('op-1');
  });

  it('contract: open cases are listed in queue order (priority, then age); closed ones newest first', async () => {
    const p = new DomainPipeline();
    await p.event(event('trouble', { vin: VIN }));
    await p.advance(MINUTE);
    await p.event(event('sos', { vin: VIN_B }));
    await p.advance(MINUTE);
    await p.event(event('sos', { vin: VIN_C }));
    await p.advance(MINUTE);
    await p.event(event('airbag', { vin: VIN }));
    const open = await p.store.listCases('open');
    expect(open.map((c) => `${c.vin.slice(-1)}:${c.trigger}`)).toEqual(['1:airbag', '2:sos', '3:sos', '1:trouble']);

    for (const c of open.filter((c) => c.trigger === 'sos')) {
      accepted(await p.act(c.vin, { kind: 'hangup', caseId: c.id, operatorId: 'op' }));
      await p.advance(MINUTE);
      accepted(await p.act(c.vin, { kind: 'close', caseId: c.id, operatorId: 'op', resolution: 'done' }));
    }
    expect((await p.store.listCases('closed')).map((c) => c.vin)).toEqual([VIN_C, VIN_B]);
    expect((await p.store.listCases('open')).map((c) => c.trigger)).toEqual(['airbag', 'trouble']);
  });

  it('loadVehicle gives the car its open cases and their sessions only', async () => {
    const p = new DomainPipeline();
    await p.event(event('sos'));
    const first = (await p.load()).cases[0]!;
    accepted(await p.act(VIN, { kind: 'hangup', caseId: first.id, operatorId: 'op' }));
    accepted(await p.act(VIN, { kind: 'close', caseId: first.id, operatorId: 'op', resolution: 'done' }));
    await p.event(event('sos', { vin: VIN_B }));
    const agg = await p.load(VIN);
    expect(agg.cases).toEqual([]);
    expect(agg.sessions).toEqual([]);
    expect(agg.vehicle.version).toBe(3);
  });

  it('stored records cannot be changed through a loaded aggregate', async () => {
    const p = new DomainPipeline();
    await p.event(event('airbag'));
    const agg = await p.load();
    agg.cases[0]!.status = 'closed';
    agg.vehicle.lockout.features.length = 0;
    expect((await p.store.listCases('open')).length).toBe(1);
    expect((await p.load()).vehicle.lockout.features.length).toBe(3);
  });

  it('contract: feed seq is one increasing sequence without gaps across cars and commits; since replays the rest', async () => {
    const p = new DomainPipeline();
    await p.event(event('airbag', { vin: VIN }));
    await p.event(event('sos', { vin: VIN_B }));
    await p.event(event('security-alarm', { vin: VIN_C })); // no feed message
    const caseId = (await p.load(VIN)).cases[0]!.id;
    accepted(await p.act(VIN, { kind: 'answer', caseId, operatorId: 'op' }));
    const seqs = p.feed.map((m) => m.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    const since = await p.store.feedSince(2);
    expect(since?.map((m) => m.seq)).toEqual(seqs.slice(2));
    expect((await p.store.feedSnapshot()).seq).toBe(seqs.length);
  });
});
