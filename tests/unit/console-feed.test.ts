import { describe, expect, it } from 'vitest';
import {
  CLOSED_LIMIT,
  applyMessage,
  emptyFeedState,
  lockoutOf,
  parseServerMessage,
  sessionOf,
  withSession,
  type FeedState,
  type ServerMessage,
} from '../../services/console/web/lib/feed-state.js';
import { openQueue } from '../../services/console/web/lib/queue.js';
import { caseMsg, lockout, lockoutMsg, makeCase, makeSession, sessionMsg, snapshot } from '../helpers/browser-cases.js';

const run = (messages: ServerMessage[], from: FeedState = emptyFeedState()) => messages.reduce(applyMessage, from);

describe('console feed reducer', () => {
  it('given a snapshot with an epoch, then the state keeps it to resume with (?since=&epoch=), and a reset snapshot replaces it', () => {
    const a = makeCase();
    const first = run([{ ...snapshot(4, [a]), epoch: 'history-1' }, caseMsg('case.opened', 5, makeCase())]);
    expect([first.seq, first.epoch]).toEqual([5, 'history-1']);
    const after = run([{ ...snapshot(2, [], true), epoch: 'history-2' }], first);
    expect([after.seq, after.epoch, after.cases.size]).toEqual([2, 'history-2', 0]);
  });

  it('given a snapshot, when live messages follow, then the queue holds each case once', () => {
    const a = makeCase();
    const b = makeCase({ trigger: 'sos', priority: 2 });
    const state = run([snapshot(4, [a]), caseMsg('case.opened', 5, b), caseMsg('case.updated', 6, { ...b, operatorId: 'op' })]);
    expect(state.seq).toBe(6);
    expect(openQueue(state).map((c) => c.id)).toEqual([a.id, b.id]);
    expect(state.cases.get(b.id)?.operatorId).toBe('op');
  });

  it('given messages at or below the last seq (a resume that overlaps), then they are dropped and the state is the same object', () => {
    const a = makeCase();
    const state = run([snapshot(1, []), caseMsg('case.opened', 2, a)]);
    expect(applyMessage(state, caseMsg('case.opened', 2, a))).toBe(state);
    expect(applyMessage(state, caseMsg('case.closed', 1, a))).toBe(state);
    expect(openQueue(state)).toHaveLength(1);
    expect(state.timelines.get(a.id)).toHaveLength(1);
  });

  it('given a replayed gap after a reconnect, when the replay repeats what was seen, then every case appears once', () => {
    const [a, b, c] = [makeCase(), makeCase(), makeCase()];
    const before = run([snapshot(10, [a]), caseMsg('case.opened', 11, b)]);
    // The page resumes with ?since=11 but a proxy delivers 11 once more, then the missed 12.
    const after = run([caseMsg('case.opened', 11, b), caseMsg('case.opened', 12, c), caseMsg('case.opened', 12, c)], before);
    expect(openQueue(after).map((x) => x.id).sort()).toEqual([a.id, b.id, c.id].sort());
    expect(after.seq).toBe(12);
  });

  it('given a service restart (seq starts again), when a reset snapshot arrives, then it replaces the cases and seq goes down', () => {
    const [a, b] = [makeCase(), makeCase()];
    const before = run([snapshot(40, [a]), caseMsg('case.opened', 41, b)]);
    const after = applyMessage(before, snapshot(2, [b], true));
    expect(after.seq).toBe(2);
    expect(openQueue(after).map((x) => x.id)).toEqual([b.id]);
    // Live messages of the new sequence apply again.
    const c = makeCase();
    expect(openQueue(applyMessage(after, caseMsg('case.opened', 3, c)))).toHaveLength(2);
  });

  it('given case.closed, then the case leaves the queue but stays known for the case view', () => {
    const a = makeCase();
    const state = run([snapshot(1, [a]), caseMsg('case.closed', 2, { ...a, resolution: 'advice_given' })]);
    expect(openQueue(state)).toEqual([]);
    expect(state.cases.get(a.id)?.status).toBe('closed');
    expect(state.timelines.get(a.id)?.[0]?.text).toBe('Closed: advice given');
  });

  it('given a long shift, then only the last CLOSED_LIMIT closed cases are kept, open ones all', () => {
    const open = makeCase();
    const many = Array.from({ length: CLOSED_LIMIT + 5 }, () => makeCase());
    let state = run([snapshot(1, [open, ...many])]);
    // Closed in reverse order of opening: the first five closed are the last five opened.
    [...many].reverse().forEach((c, i) => (state = applyMessage(state, caseMsg('case.closed', 2 + i, c))));
    const kept = [...state.cases.values()].filter((c) => c.status === 'closed').map((c) => c.id);
    expect(kept).toHaveLength(CLOSED_LIMIT);
    expect(kept).toEqual([...many].reverse().slice(5).map((c) => c.id));
    expect(state.cases.get(open.id)?.status).toBe('open');
    expect(state.timelines.has(many.at(-1)!.id)).toBe(false);
  });

  it('given session.updated, then the session is kept and lands on its case timeline', () => {
    const a = makeCase();
    const s = makeSession(a, { state: 'connected', connectedAt: '2026-11-21T10:00:04.000Z' });
    const state = run([snapshot(1, [a]), sessionMsg(2, s)]);
    expect(sessionOf(state, a)?.state).toBe('connected');
    expect(state.timelines.get(a.id)?.map((e) => e.text)).toEqual(['Call connected']);
  });

  it('given lockout.updated after the case, then the newer lockout wins and is on the timeline of the car’s open cases (D3.5)', () => {
    const a = makeCase({ lockout: lockout('JTDTEST0000000099', { active: true, features: ['remote_operations'] }), vin: 'JTDTEST0000000099' });
    const until = '2026-11-21T11:05:00.000Z';
    const state = run([snapshot(1, [a]), lockoutMsg(2, lockout(a.vin, { active: true, features: ['remote_operations', 'wifi'], until }))]);
    expect(lockoutOf(state, a).until).toBe(until);
    expect(lockoutOf(state, a).features).toContain('wifi');
    expect(state.timelines.get(a.id)?.[0]?.text).toMatch(/^Lockout until 20:05:00 JST: Remote operations, In-car Wi-Fi$/);
  });

  it('given a session from HTTP older than the feed’s copy, then the feed’s copy stays', () => {
    const a = makeCase();
    const cleared = makeSession(a, { state: 'cleared', clearedBy: 'operator' });
    const state = run([snapshot(1, [a]), sessionMsg(2, cleared)]);
    expect(withSession(state, makeSession(a, { state: 'connected' }))).toBe(state);
    // A call-back (D2.6) starts a new round: ringing again is newer than cleared.
    const callingBack = makeSession(a, { state: 'ringing', callbacks: [{ at: '2026-11-21T10:10:00.000Z', operatorId: 'op' }] });
    expect(sessionOf(withSession(state, callingBack), a)?.state).toBe('ringing');
  });

  it('parses only feed-shaped JSON', () => {
    expect(parseServerMessage('nope')).toBeNull();
    expect(parseServerMessage('{"type":"case.opened"}')).toBeNull();
    expect(parseServerMessage('{"type":"hello","seq":1}')).toBeNull();
    expect(parseServerMessage('{"type":"snapshot","seq":0,"cases":[],"at":"x"}')?.type).toBe('snapshot');
  });
});
