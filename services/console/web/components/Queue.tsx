import { useEffect, useRef } from 'preact/hooks';
import type { Case } from '../../../../protocol/index.js';
import { positionBadge } from '../lib/case-data.js';
import { TRIGGER_LABEL } from '../lib/describe.js';
import { sessionOf, type FeedState } from '../lib/feed-state.js';
import { age, answerTimer } from '../lib/time.js';

interface Props {
  cases: readonly Case[];
  feed: FeedState;
  now: number;
  targetS: number;
  selectedId: string | null;
  openId: string | null;
  onSelect(id: string): void;
  onOpen(id: string): void;
}

/** How long a new row flashes. */
const FRESH_MS = 4000;

/** Open cases in contract order (priority, severity inside priority 1, then age); j/k or arrows move, Enter opens (App.tsx). */
export function Queue({ cases, feed, now, targetS, selectedId, openId, onSelect, onOpen }: Props) {
  const list = useRef<HTMLOListElement>(null);
  useEffect(() => {
    list.current?.querySelector('[aria-selected="true"]')?.scrollIntoView({ block: 'nearest' });
  }, [selectedId]);
  return (
    <section class="panel queue" aria-labelledby="queue-title">
      <h2 id="queue-title">Queue</h2>
      {feed.hidden > 0 && (
        // The snapshot was cut to the server's size limit (FEED_MAX_SNAPSHOT_BYTES): say so, never hide it.
        <p class="error" role="status" data-testid="queue-truncated" title="The rest did not fit the feed's snapshot; each appears here as soon as it changes.">
          Showing {cases.length} of {cases.length + feed.hidden} open cases
        </p>
      )}
      {cases.length === 0 && feed.hidden === 0 && <p class="empty">No open cases.</p>}
      <ol ref={list} tabIndex={0} role="listbox" aria-label="Open cases" aria-activedescendant={selectedId ? `row-${selectedId}` : undefined}>
        {cases.map((c) => {
          const session = sessionOf(feed, c);
          const timer =
            session?.state === 'cleared' && !session.connectedAt
              ? { state: 'cleared', label: 'cleared unanswered' }
              : answerTimer(c.openedAt, now, targetS, session?.connectedAt);
          const pos = positionBadge(c);
          return (
            <li
              key={c.id}
              id={`row-${c.id}`}
              role="option"
              aria-selected={c.id === selectedId}
              class={`row p${c.priority}${c.id === openId ? ' open' : ''}${now - Date.parse(c.openedAt) < FRESH_MS ? ' fresh' : ''}`}
              data-case-id={c.id}
              data-vin={c.vin}
              data-priority={c.priority}
              data-opened-at={c.openedAt}
              data-probability={c.severity?.probability}
              onClick={() => {
                onSelect(c.id);
                onOpen(c.id);
              }}
            >
              <span class="prio" title={`Priority ${c.priority}`}>
                P{c.priority}
              </span>
              <span class="what">
                <strong>{TRIGGER_LABEL[c.trigger]}</strong>
                <span class="vin">{c.vin}</span>
              </span>
              <span class="badges">
                {c.test && <span class="badge test">TEST</span>}
                {c.severity && (
                  // D4.3: the estimate that orders priority 1, and the doctor helicopter when it is recommended.
                  <span class={`badge sev-${c.severity.band}`} title={`Estimated risk of death or serious injury (${c.severity.model})`}>
                    risk {Math.round(c.severity.probability * 100)}%{c.severity.recommend.includes('doctor_heli') ? ' · doctor heli' : ''}
                  </span>
                )}
                {pos === 'unknown' && <span class="badge pos">no position</span>}
                {pos === 'untrusted' && <span class="badge pos">position doubtful</span>}
                {session && <span class={`badge call-${session.state}`}>{session.state}</span>}
              </span>
              <span class="times">
                <span class="age" title="Age">
                  {age(c.openedAt, now)}
                </span>
                <span class={`timer t-${timer.state}`} title={`Answer target ${targetS} s`}>
                  {timer.label}
                </span>
              </span>
            </li>
          );
        })}
      </ol>
    </section>
  );
}
