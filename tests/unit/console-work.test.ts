import { describe, expect, it } from 'vitest';
import type { Case, Dispatch } from '../../protocol/index.js';
import { isEmergency, nextStatuses, noResponseAgencies, resolutionsFor } from '../../services/console/web/lib/actions.js';
import { describeMessage } from '../../services/console/web/lib/describe.js';
import { applyMessage, emptyFeedState, parseServerMessage, type ServerMessage } from '../../services/console/web/lib/feed-state.js';
import { caseMsg, makeCase, snapshot } from '../helpers/browser-cases.js';

/** Issue 14 parts 2 and 5: the console's rules for working a case, and `case.escalated` on the feed. */
describe('console: working the case', () => {
  it('offers resolutions that fit the case: a test call never "emergency dispatched", a trouble case the trouble ones, after no response that one first', () => {
    expect(resolutionsFor(makeCase({ test: true }))).not.toContain('emergency_dispatched');
    expect(resolutionsFor(makeCase({ test: true }))[0]).toBe('test_call');
    const trouble = makeCase({ trigger: 'trouble', priority: 3 });
    expect(resolutionsFor(trouble)).toEqual(['road_service_arranged', 'advice_given', 'accidental', 'duplicate', 'other']);
    expect(isEmergency(trouble)).toBe(false);
    // A trouble call that an airbag joined is an emergency (contract "One call at a time").
    const joined = { ...trouble, triggers: [{ type: 'trouble', eventId: 'e1', at: trouble.openedAt }, { type: 'airbag', eventId: 'e2', at: trouble.openedAt }] } as Case;
    expect(isEmergency(joined)).toBe(true);
    const airbag = makeCase();
    expect(resolutionsFor(airbag)[0]).toBe('emergency_dispatched');
    const silent = { ...airbag, dispatches: [{ agency: 'police', status: 'requested', noResponse: true } as Dispatch] };
    expect(resolutionsFor(silent)[0]).toBe('no_response_dispatched');
  });

  it('moves a dispatch forward only (steps may be skipped) or cancels it; a finished one never moves', () => {
    expect(nextStatuses('requested')).toEqual(['en_route', 'on_scene', 'completed', 'cancelled']);
    expect(nextStatuses('en_route')).toEqual(['on_scene', 'completed', 'cancelled']);
    expect(nextStatuses('on_scene')).toEqual(['completed', 'cancelled']);
    expect(nextStatuses('completed')).toEqual([]);
    expect(nextStatuses('cancelled')).toEqual([]);
  });

  it('names the agencies a no-response sends: fire and police, and the doctor helicopter when recommended (D4.2, D4.3)', () => {
    expect(noResponseAgencies(makeCase())).toEqual(['fire_ambulance', 'police']);
    const severe = makeCase({ severity: { probability: 0.4, band: 'high', recommend: ['doctor_heli'], model: 'm', inputs: {} } } as Partial<Case>);
    expect(noResponseAgencies(severe)).toEqual(['fire_ambulance', 'police', 'doctor_heli']);
  });

  it('takes case.escalated off the socket: the case gets its escalatedAt and a timeline line', () => {
    const c = makeCase();
    const escalatedAt = new Date(Date.parse(c.openedAt) + 10_000).toISOString();
    const raw = JSON.stringify({ type: 'case.escalated', seq: 3, at: escalatedAt, caseId: c.id, vin: c.vin, priority: 1, targetSeconds: 10, ringingSeconds: 10, case: { ...c, escalatedAt } });
    const msg = parseServerMessage(raw);
    expect(msg?.type).toBe('case.escalated');
    const state = [snapshot(1, []), caseMsg('case.opened', 2, c), msg as ServerMessage].reduce(applyMessage, emptyFeedState());
    expect(state.seq).toBe(3);
    expect(state.cases.get(c.id)?.escalatedAt).toBe(escalatedAt);
    const line = state.timelines.get(c.id)!.at(-1)!;
    expect(describeMessage(line.msg)).toBe('Not answered within the target: escalated');
    // Kinds the console does not know are still ignored.
    expect(parseServerMessage(JSON.stringify({ type: 'case.teleported', seq: 4, at: escalatedAt }))).toBeNull();
  });
});
