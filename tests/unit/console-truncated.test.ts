import { describe, expect, it } from 'vitest';
import { applyMessage, emptyFeedState, type FeedState, type ServerMessage } from '../../services/console/web/lib/feed-state.js';
import { openQueue } from '../../services/console/web/lib/queue.js';
import { caseMsg, makeCase, snapshot } from '../helpers/browser-cases.js';

const run = (messages: ServerMessage[], from: FeedState = emptyFeedState()) => messages.reduce(applyMessage, from);

/** The console's "showing N of M open cases" after a snapshot cut to FEED_MAX_SNAPSHOT_BYTES (SnapshotMessage.truncated). */
describe('console: a truncated snapshot', () => {
  it('given a snapshot with 2 of 5 open cases, then 3 are counted as hidden; a whole snapshot hides none', () => {
    const [a, b] = [makeCase(), makeCase()];
    const cut = run([{ ...snapshot(10, [a, b]), truncated: true, totalCases: 5 }]);
    expect([openQueue(cut).length, cut.hidden]).toEqual([2, 3]);
    expect(run([snapshot(11, [a, b])], cut).hidden).toBe(0);
  });

  it('given hidden cases, when one of them is updated or closed, then it is no longer hidden; a new case changes nothing', () => {
    const [a, hiddenOne, hiddenTwo, fresh] = [makeCase(), makeCase(), makeCase(), makeCase()];
    const cut = run([{ ...snapshot(10, [a]), truncated: true, totalCases: 3 }]);
    const opened = run([caseMsg('case.opened', 11, fresh)], cut);
    expect([openQueue(opened).length, opened.hidden]).toEqual([2, 2]); // showing 2 of 4
    const updated = run([caseMsg('case.updated', 12, { ...hiddenOne, operatorId: 'op-1' })], opened);
    expect([openQueue(updated).length, updated.hidden]).toEqual([3, 1]); // showing 3 of 4
    const closed = run([caseMsg('case.closed', 13, hiddenTwo)], updated);
    expect([openQueue(closed).length, closed.hidden]).toEqual([3, 0]); // the notice goes
    // An update of a case the page already shows is not a hidden one.
    expect(run([caseMsg('case.updated', 14, { ...a, operatorId: 'op-2' })], cut).hidden).toBe(2);
  });
});
