import { describe, expect, it } from 'vitest';
import { MINUTE, VIN, VIN_B, VIN_C, event } from '../helpers/domain-fixtures.js';

const VIN_D = 'JHMZE2H59ES000004';
import { domainSpec } from '../helpers/domain-spec.js';
import { after, airbag, alarm, operator, race, send, sos, trouble } from '../helpers/domain-steps.js';
import { duplicate, opened, queue, theCase } from '../helpers/domain-then.js';

/** Commits that met a newer version of the car and were decided again. */
const conflicts = async (spec: ReturnType<typeof domainSpec>) => (await spec.service.metrics.commitConflicts.get()).values[0]?.value ?? 0;

describe('memory store: the semantics the rules rely on', () => {
  it('contract: a redelivered event (same vin and eventId) is a duplicate and opens no second case', async () => {
    const spec = domainSpec();
    const crash = event('airbag', { eventId: 'ev-dup' });
    await spec
      .given(send(crash), after(MINUTE))
      .when(send(crash))
      .then(duplicate(), queue(['airbag']));
    expect((await spec.store.readEvent(VIN, 'ev-dup')).seen).toBe(true);
    expect(spec.commands().filter((c) => c.cmd === 'call.state')).toHaveLength(1);
  });

  it('contract: the same eventId from another car is a different event', async () => {
    const spec = domainSpec();
    await spec
      .given(sos({ vin: VIN, eventId: 'same' }))
      .when(sos({ vin: VIN_B, eventId: 'same' }))
      .then(opened({ vin: VIN_B }));
    expect((await spec.store.listCases('open')).map((c) => c.vin).sort()).toEqual([VIN, VIN_B]);
  });

  it('two instances deciding on the same version: the second commit is a conflict and leaves no trace; deciding again succeeds', async () => {
    const spec = domainSpec();
    const outcome = await spec
      .when(race(sos({ eventId: 'ev-a' }), airbag({ eventId: 'ev-b' })))
      // the loser read again and decided again: its event was not marked seen by the failed commit, so it
      // is not mistaken for a duplicate, and the winner's case was there for it to see: the airbag joined
      // the SOS call (one call at a time)
      .then(
        opened({ trigger: 'sos', eventId: 'ev-a' }),
        queue([{ trigger: 'sos', priority: 1, triggers: [expect.objectContaining({ eventId: 'ev-a' }), expect.objectContaining({ eventId: 'ev-b' })] }]),
      );
    expect(outcome.results.map((r) => r.status)).toEqual(['ok', 'ok']);
    expect(await conflicts(spec)).toBe(1);
    // no trace of the failed commit: one feed sequence without gaps, versions counted once per commit
    expect(spec.feed.map((m) => m.seq)).toEqual(spec.feed.map((_, i) => i + 1));
    expect((await spec.store.loadVehicle(VIN)).vehicle.version).toBe(2);
  });

  it('a redelivery that two instances race on opens one case: the loser sees duplicate, not conflict, and does not retry', async () => {
    const spec = domainSpec();
    const crash = event('airbag', { eventId: 'ev-race' });
    const outcome = await spec.when(race(send(crash), send(crash))).then(opened({ eventId: 'ev-race' }), queue(['airbag']));
    expect(outcome.results.map((r) => r.status)).toEqual(['ok', 'duplicate']);
    expect(await conflicts(spec)).toBe(0);
  });

  it('an operator action decided on a stale version is a conflict (the answer of a second operator cannot overwrite the first)', async () => {
    const spec = domainSpec();
    const outcome = await spec
      .given(airbag())
      .when(race(operator('answer', { by: 'op-1' }), operator('answer', { by: 'op-2' })))
      .then(theCase({ operatorId: 'op-1' }));
    // deciding again on the fresh state refuses the second operator
    expect(outcome.results).toEqual([{ status: 'ok' }, expect.objectContaining({ status: 'refused', code: 'case_taken' })]);
    expect(await conflicts(spec)).toBe(1);
  });

  it('contract: open cases are listed in queue order (priority, then age); closed ones newest first', async () => {
    const spec = domainSpec();
    await spec
      .given(trouble({ vin: VIN }), after(MINUTE), sos({ vin: VIN_B }), after(MINUTE), sos({ vin: VIN_C }), after(MINUTE))
      .when(airbag({ vin: VIN_D }))
      .then();
    const open = await spec.store.listCases('open');
    expect(open.map((c) => `${c.vin.slice(-1)}:${c.trigger}`)).toEqual(['4:airbag', '2:sos', '3:sos', '1:trouble']);

    for (const vin of [VIN_B, VIN_C]) {
      await spec.given(operator('hangup', { vin, by: 'op' }), after(MINUTE), operator('close', { vin, by: 'op', resolution: 'done' })).then();
    }
    expect((await spec.store.listCases('closed')).map((c) => c.vin)).toEqual([VIN_C, VIN_B]);
    expect((await spec.store.listCases('open')).map((c) => c.trigger)).toEqual(['airbag', 'trouble']);
  });

  it('loadVehicle gives the car its open cases and their sessions only', async () => {
    const spec = domainSpec();
    await spec.given(sos(), operator('hangup', { by: 'op' }), operator('close', { by: 'op', resolution: 'done' }), sos({ vin: VIN_B })).then();
    const agg = await spec.store.loadVehicle(VIN);
    expect(agg.cases).toEqual([]);
    expect(agg.sessions).toEqual([]);
    expect(agg.vehicle.version).toBe(3);
  });

  it('stored records cannot be changed through a loaded aggregate', async () => {
    const spec = domainSpec();
    await spec.given(airbag()).then();
    const agg = await spec.store.loadVehicle(VIN);
    agg.cases[0]!.status = 'closed';
    agg.vehicle.lockout.features.length = 0;
    expect((await spec.store.listCases('open')).length).toBe(1);
    expect((await spec.store.loadVehicle(VIN)).vehicle.lockout.features.length).toBe(3);
  });

  it('contract: feed seq is one increasing sequence without gaps across cars and commits; since replays the rest', async () => {
    const spec = domainSpec();
    await spec
      .given(airbag({ vin: VIN }), sos({ vin: VIN_B }), alarm('intrusion', { vin: VIN_C })) // the alarm: no feed message
      .when(operator('answer', { by: 'op' }))
      .then();
    const seqs = spec.feed.map((m) => m.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    const since = await spec.store.feedSince(2);
    expect(since?.map((m) => m.seq)).toEqual(seqs.slice(2));
    expect((await spec.store.feedSnapshot()).seq).toBe(seqs.length);
  });
});
