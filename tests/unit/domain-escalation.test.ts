import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ConfigError, answerTargets, loadConfig } from '../../services/config.js';
import type { Outbound } from '../../services/incident/core.js';
import { IncidentService } from '../../services/incident/service.js';
import { computeStats } from '../../services/incident/stats.js';
import { SECOND, T0, idFactory } from '../helpers/domain-fixtures.js';
import { domainSpec, type DomainSpec } from '../helpers/domain-spec.js';
import { after, airbag, down, operator, restart, sos, trouble } from '../helpers/domain-steps.js';
import { feed, theCase, unchanged } from '../helpers/domain-then.js';

const at = (ms: number) => new Date(ms).toISOString();

/** A second instance on the spec's store and clock (as two processes sharing Redis). */
async function secondInstance(spec: DomainSpec): Promise<IncidentService> {
  const outbound: Outbound = { publish: (_t, _p, _o, done) => done?.() };
  const other = new IncidentService({ store: spec.store, clock: spec.clock, config: loadConfig({}), logger: pino({ level: 'silent' }), newId: idFactory('other'), outbound });
  await other.start();
  return other;
}

async function escalations(s: IncidentService): Promise<number> {
  const m = await s.metrics.escalations.get();
  return m.values.reduce((n, v) => n + v.value, 0);
}

describe('contract "Answer targets": a call still ringing past its priority target is escalated once', () => {
  it('answer targets: a P1 call ringing 10 s (ANSWER_TARGET_S default) is escalated: escalatedAt, case.updated then case.escalated on the feed', async () => {
    const spec = domainSpec();
    await spec.given(airbag()).when(after(10 * SECOND - 1)).then(unchanged());
    const o = await spec.when(after(1)).then(feed(['case.updated', 'case.escalated']), theCase({ escalatedAt: at(T0 + 10 * SECOND) }));
    expect(o.feed[1]).toMatchObject({ type: 'case.escalated', priority: 1, targetSeconds: 10, ringingSeconds: 10, case: { escalatedAt: at(T0 + 10 * SECOND) } });
    expect(await escalations(spec.running)).toBe(1);
  });

  it('answer targets: escalation exactly once on the virtual clock: nothing more however long it rings', async () => {
    const spec = domainSpec();
    await spec.given(sos(), after(15 * SECOND)).when(after(10 * 60 * SECOND)).then(unchanged(), theCase({ escalatedAt: at(T0 + 15 * SECOND) }));
    expect(await escalations(spec.running)).toBe(1);
  });

  it('answer targets: P2 after 15 s, P3 after 20 s; ANSWER_TARGET_S=5,6,7 moves them', async () => {
    await domainSpec().given(trouble(), after(20 * SECOND - 1)).when(after(1)).then(feed(['case.updated', 'case.escalated']));
    await domainSpec({ env: { ANSWER_TARGET_S: '5,6,7' } }).given(sos(), after(6 * SECOND - 1)).when(after(1)).then(feed(['case.updated', 'case.escalated']));
  });

  it('answer targets: a call answered within its target is never escalated', async () => {
    await domainSpec().given(airbag(), after(9 * SECOND), operator('answer')).when(after(60 * SECOND)).then(unchanged(), theCase({ escalatedAt: undefined, answeredAt: at(T0 + 9 * SECOND) }));
  });

  it('answer targets: a call the car cleared before the target (an SOS hung up) is not escalated', async () => {
    await domainSpec().given(sos(), after(SECOND), trouble()).when(after(60 * SECOND)).then(unchanged());
  });

  it('answer targets: a joining airbag raises a trouble case to P1, and the 10 s target runs from its opening', async () => {
    await domainSpec().given(trouble(), after(4 * SECOND), airbag(), after(6 * SECOND - 1)).when(after(1)).then(feed(['case.updated', 'case.escalated']), theCase({ priority: 1, escalatedAt: at(T0 + 10 * SECOND) }));
  });

  it('answer targets: a target passed while the service was down is escalated at once on restart', async () => {
    await domainSpec().given(airbag(), down(), after(60 * SECOND)).when(restart()).then(feed(['case.updated', 'case.escalated']), theCase({ escalatedAt: at(T0 + 60 * SECOND) }));
  });

  it('answer targets: two instances sharing the store both arm the timer; the lease lets one fire, the escalation happens once', async () => {
    const spec = domainSpec();
    await spec.given(airbag()).then();
    const other = await secondInstance(spec);
    try {
      expect(other.answerTargets.armed()).toBe(1); // armed from the open cases at start-up
      await spec.given(after(10 * SECOND), after(60 * SECOND)).then();
      expect(spec.feed.filter((m) => (m.type as string) === 'case.escalated')).toHaveLength(1);
      expect((await escalations(spec.running)) + (await escalations(other))).toBe(1);
    } finally {
      await other.stop();
    }
  });

  it('answer targets: two instances deciding at the same moment without the lease still escalate exactly once (version-checked commit)', async () => {
    const spec = domainSpec();
    await spec.given(airbag()).then();
    const other = await secondInstance(spec);
    try {
      spec.running.answerTargets.stop();
      other.answerTargets.stop();
      await spec.given(after(10 * SECOND)).then();
      const c = await spec.caseOf();
      spec.store.startRace(2); // both read the same version of the car before either commits
      const one = (s: IncidentService) => s.answerTargets.escalate(c.id, c.vin).finally(() => spec.store.leaveRace());
      const both = await Promise.all([one(spec.running), one(other)]);
      expect(both.filter(Boolean)).toHaveLength(1);
      expect(spec.feed.filter((m) => (m.type as string) === 'case.escalated')).toHaveLength(1);
      expect((await spec.store.getCase(c.id))?.escalatedAt).toBe(at(T0 + 10 * SECOND));
    } finally {
      await other.stop();
    }
  });

  it('answer targets: answer time per priority in the histogram, and within target counted', async () => {
    const spec = domainSpec();
    await spec.given(airbag(), after(4 * SECOND)).then();
    await spec.running.operatorAction({ kind: 'answer', caseId: (await spec.caseOf()).id, operatorId: 'op-1' });
    const h = await spec.running.metrics.answerTime.get();
    expect(h.values.find((v) => v.metricName === 'anshin_answer_time_seconds_sum' && v.labels.priority === '1')?.value).toBe(4);
    expect((await spec.running.metrics.answersWithinTarget.get()).values).toEqual([expect.objectContaining({ labels: { priority: '1' }, value: 1 })]);
  });
});

describe('ANSWER_TARGET_S (services/config.ts)', () => {
  it('config: default 10,15,20; three positive numbers of seconds; anything else stops start-up naming the variable', () => {
    expect(answerTargets(loadConfig({}))).toEqual([10, 15, 20]);
    expect(answerTargets(loadConfig({ ANSWER_TARGET_S: ' 8, 12.5 ,30' }))).toEqual([8, 12.5, 30]);
    for (const bad of ['10,15', '10,15,20,25', '10,x,20', '10,0,20', '-1,2,3']) {
      expect(() => loadConfig({ ANSWER_TARGET_S: bad }), bad).toThrow(ConfigError);
      expect(() => loadConfig({ ANSWER_TARGET_S: bad }), bad).toThrow(/^ANSWER_TARGET_S: /);
    }
  });
});

describe('GET /v1/stats figures (services/incident/stats.ts)', () => {
  it('stats: queue by priority and state, oldest ringing, answer-time percentiles and share within target, open dispatches, operators on duty', async () => {
    const spec = domainSpec({ env: { ANSWER_TARGET_S: '10,3600,3600' } });
    // P1 answered at 4 s, P1 answered at 30 s (escalated), P2 ringing, P3 answered by op-2 and cleared
    await spec.given(airbag(), after(4 * SECOND), operator('answer', { by: 'op-1' })).then();
    await spec.given(airbag({ vin: 'JHMZE2H59ES000002' }), after(30 * SECOND), operator('answer', { by: 'op-1', vin: 'JHMZE2H59ES000002' })).then();
    await spec.given(sos({ vin: 'WVWZZZ1JZXW000003' }), after(5 * SECOND), trouble({ vin: 'JHMZE2H59ES000004' }), after(SECOND), operator('answer', { by: 'op-2', vin: 'JHMZE2H59ES000004' }), operator('hangup', { by: 'op-2', vin: 'JHMZE2H59ES000004' })).then();
    const input = await spec.running.statsInput(0);
    const stats = computeStats({ now: spec.clock.now(), ...input, targetsS: [10, 3600, 3600] });
    expect(stats.queue).toEqual({ byPriority: { '1': { ringing: 0, connected: 2, cleared: 0 }, '2': { ringing: 1, connected: 0, cleared: 0 }, '3': { ringing: 0, connected: 0, cleared: 1 } }, oldestRingingSeconds: 6 });
    expect(stats.answerTime.byPriority['1']).toMatchObject({ p50Seconds: 4, p90Seconds: 30, withinTargetShare: 0.5, answered: 2, targetSeconds: 10 });
    expect(stats.answerTime.byPriority['2']).toMatchObject({ p50Seconds: null, p90Seconds: null, withinTargetShare: null, answered: 0 });
    expect(stats.answerTime.byPriority['3']).toMatchObject({ p50Seconds: 1, withinTargetShare: 1, answered: 1 });
    expect(stats.operatorsOnDuty).toBe(2);
    expect(stats.dispatchesOpen).toBe(0);
  });
});
