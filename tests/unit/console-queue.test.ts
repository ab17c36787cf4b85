import { describe, expect, it } from 'vitest';
import { canDo } from '../../services/console/web/lib/actions.js';
import { caseFacts, positionBadge } from '../../services/console/web/lib/case-data.js';
import { applyMessage, emptyFeedState, withSession } from '../../services/console/web/lib/feed-state.js';
import { arrangeQueue, compareQueue, filterCounts, matchesSearch, moveSelection, openQueue } from '../../services/console/web/lib/queue.js';
import { makeCase, makeSession, snapshot } from '../helpers/browser-cases.js';

describe('console queue', () => {
  it('orders by priority, then age, then id (contract queue order)', () => {
    const old3 = makeCase({ trigger: 'trouble', priority: 3, openedAt: '2026-11-21T09:00:00.000Z' });
    const new1 = makeCase({ priority: 1, openedAt: '2026-11-21T10:00:05.000Z' });
    const old1 = makeCase({ trigger: 'impact', priority: 1, openedAt: '2026-11-21T10:00:01.000Z' });
    const sos = makeCase({ trigger: 'sos', priority: 2, openedAt: '2026-11-21T08:00:00.000Z' });
    const tie = makeCase({ priority: 1, openedAt: old1.openedAt, id: 'zz-last' });
    const state = applyMessage(emptyFeedState(), snapshot(1, [old3, new1, tie, sos, old1]));
    expect(openQueue(state).map((c) => c.id)).toEqual([old1.id, tie.id, new1.id, sos.id, old3.id]);
    expect(compareQueue(old1, old1)).toBe(0);
  });

  it('moves the selection with j/k and stops at the ends', () => {
    const q = [makeCase(), makeCase(), makeCase()];
    expect(moveSelection(q, null, 1)).toBe(q[0]!.id);
    expect(moveSelection(q, q[0]!.id, 1)).toBe(q[1]!.id);
    expect(moveSelection(q, q[2]!.id, 1)).toBe(q[2]!.id);
    expect(moveSelection(q, q[0]!.id, -1)).toBe(q[0]!.id);
    expect(moveSelection([], 'x', 1)).toBeNull();
    expect(moveSelection(q, 'gone', -1)).toBe(q[0]!.id);
  });
});

describe('console case actions', () => {
  const c = makeCase();
  it('answers a ringing call only', () => {
    expect(canDo(c, makeSession(c)).answer).toBe(true);
    expect(canDo(c, makeSession(c, { state: 'connected' })).answer).toBe(false);
    expect(canDo(c, undefined).answer).toBe(false);
  });
  it('D2.2: the operator may hang up any live call, auto-notification included', () => {
    expect(canDo(c, makeSession(c, { state: 'ringing', hangupPolicy: 'operator_only' })).hangup).toBe(true);
    expect(canDo(c, makeSession(c, { state: 'connected' })).hangup).toBe(true);
    expect(canDo(c, makeSession(c, { state: 'cleared' })).hangup).toBe(false);
  });
  it('D2.6: call-back only after clear-down; close needs the call cleared', () => {
    const connected = canDo(c, makeSession(c, { state: 'connected' }));
    expect([connected.callback, connected.close]).toEqual([false, false]);
    const cleared = canDo(c, makeSession(c, { state: 'cleared' }));
    expect([cleared.callback, cleared.close]).toEqual([true, true]);
    const closed = canDo({ ...c, status: 'closed' }, makeSession(c, { state: 'cleared' }));
    expect(Object.values(closed).some(Boolean)).toBe(false);
  });
});

describe('console case facts', () => {
  it('reads airbags, delta-V, direction and lamps from case.data', () => {
    const airbag = makeCase({ data: { deployed: ['driver_front', 'curtain_right'], deltaVKmh: 31, rollover: true } });
    expect(caseFacts(airbag)).toEqual([
      { label: 'Airbags fired', value: 'driver front, curtain right' },
      { label: 'Delta-V', value: '31 km/h' },
      { label: 'Rollover', value: 'yes' },
    ]);
    const impact = makeCase({ trigger: 'impact', data: { deltaVKmh: 12, direction: 'rear', peakG: 9 } });
    expect(caseFacts(impact).map((f) => f.value)).toEqual(['12 km/h', 'rear', '9 g']);
    expect(caseFacts(makeCase({ trigger: 'trouble', priority: 3, data: { warningLamps: ['oil_pressure'] } }))).toEqual([
      { label: 'Warning lamps', value: 'oil pressure' },
    ]);
  });
  it('D2.7: badges a missing or doubtful position', () => {
    expect(positionBadge(makeCase({ position: null }))).toBe('unknown');
    expect(positionBadge(makeCase({ position: { lat: 35, lon: 139, trusted: false } }))).toBe('untrusted');
    expect(positionBadge(makeCase())).toBeNull();
  });
});

describe('console queue sections and search (issue 14 part 3)', () => {
  it('sections by call state and operator; test calls apart, below the real ones', () => {
    const testP1 = makeCase({ test: true, openedAt: '2026-11-21T09:00:00.000Z' });
    const mine = makeCase({ operatorId: 'me', openedAt: '2026-11-21T10:00:00.000Z' });
    const cleared = makeCase({ trigger: 'sos', priority: 2, operatorId: 'other' });
    const ringing = makeCase({ trigger: 'trouble', priority: 3 });
    let state = applyMessage(emptyFeedState(), snapshot(1, [testP1, mine, cleared, ringing]));
    state = withSession(state, makeSession(testP1));
    state = withSession(state, makeSession(mine, { state: 'connected' }));
    state = withSession(state, makeSession(cleared, { state: 'cleared' }));
    state = withSession(state, makeSession(ringing));
    const queue = openQueue(state);
    const ids = (f: Parameters<typeof arrangeQueue>[2]['filter']) => {
      const { real, test } = arrangeQueue(queue, state, { filter: f, query: '', me: 'me' });
      return [...real, ...test].map((c) => c.id);
    };
    expect(ids('all')).toEqual([mine.id, cleared.id, ringing.id, testP1.id]);
    expect(ids('ringing')).toEqual([ringing.id, testP1.id]);
    expect(ids('mine')).toEqual([mine.id]);
    expect(ids('connected')).toEqual([mine.id]);
    expect(ids('cleared')).toEqual([cleared.id]);
    expect(filterCounts(queue, state, 'me')).toEqual({ all: 4, ringing: 2, mine: 1, connected: 1, cleared: 1 });
  });

  it('finds a VIN by any part, case and spaces ignored; the plate when the case carries one', () => {
    const c = makeCase({ vin: 'JTDTEST0000000042', data: { plate: '品川 300 あ 12-34' } });
    expect(matchesSearch(c, 'test 0000')).toBe(true);
    expect(matchesSearch(c, 'jtdtest')).toBe(true);
    expect(matchesSearch(c, '0043')).toBe(false);
    expect(matchesSearch(c, '12-34')).toBe(true);
    expect(matchesSearch(c, '')).toBe(true);
  });
});
