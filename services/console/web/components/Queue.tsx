import { useEffect, useRef } from 'preact/hooks';
import type { Case } from '../../../../protocol/index.js';
import { useI18n } from '../i18n/index.js';
import { positionBadge } from '../lib/case-data.js';
import { sessionOf, type FeedState } from '../lib/feed-state.js';
import { QUEUE_FILTERS, type QueueFilter } from '../lib/queue.js';
import { age, answerTimer } from '../lib/time.js';

interface Props {
  /** Real calls in queue order, after filter and search. */
  cases: readonly Case[];
  /** Test calls, shown apart below. */
  tests: readonly Case[];
  feed: FeedState;
  now: number;
  targetS: number;
  selectedId: string | null;
  openId: string | null;
  filter: QueueFilter;
  counts: Record<QueueFilter, number>;
  query: string;
  onFilter(f: QueueFilter): void;
  onQuery(q: string): void;
  onSelect(id: string): void;
  onOpen(id: string): void;
  searchRef: { current: HTMLInputElement | null };
}

/** How long a new row flashes. */
const FRESH_MS = 4000;

/**
 * Open cases in contract order (priority, severity inside priority 1, then age), in sections (filters)
 * with a VIN search; test calls apart at the bottom. Keys: App.tsx, the `?` overlay.
 */
export function Queue(props: Props) {
  const { cases, tests, feed, now, targetS, selectedId, openId, filter, counts, query } = props;
  const { m } = useI18n();
  const list = useRef<HTMLDivElement>(null);
  useEffect(() => {
    list.current?.querySelector('[aria-selected="true"]')?.scrollIntoView({ block: 'nearest' });
  }, [selectedId]);
  const row = (c: Case) => {
    const session = sessionOf(feed, c);
    const timer =
      session?.state === 'cleared' && !session.connectedAt
        ? { state: 'cleared', label: m.clearedUnanswered }
        : answerTimer(c.openedAt, now, targetS, session?.connectedAt, m);
    const pos = positionBadge(c);
    const lastKnown = pos === 'unknown' && c.lastKnownPosition;
    // Contract "Answer targets": the service escalated the call (case.escalated); shown while it still rings.
    const escalated = !!c.escalatedAt && c.status === 'open' && session?.state !== 'connected' && session?.state !== 'cleared';
    return (
      <li
        key={c.id}
        id={`row-${c.id}`}
        role="option"
        aria-selected={c.id === selectedId}
        class={`row p${c.priority}${c.test ? ' test' : ''}${c.id === openId ? ' open' : ''}${now - Date.parse(c.openedAt) < FRESH_MS ? ' fresh' : ''}${timer.state === 'overdue' ? ' overdue' : ''}${escalated ? ' escalated' : ''}`}
        data-case-id={c.id}
        data-vin={c.vin}
        data-priority={c.priority}
        data-opened-at={c.openedAt}
        data-probability={c.severity?.probability}
        data-test-call={c.test ? 'true' : undefined}
        data-escalated={escalated ? 'true' : undefined}
        onClick={() => {
          props.onSelect(c.id);
          props.onOpen(c.id);
        }}
      >
        <span class="prio" title={m.priority(c.priority)}>
          P{c.priority}
        </span>
        <span class="what">
          <strong>{m.trigger[c.trigger]}</strong>
          <span class="vin">{c.vin}</span>
        </span>
        <span class="badges">
          {c.test && <span class="badge test">{m.test}</span>}
          {escalated && <span class="badge escalated">{m.work.escalated}</span>}
          {c.severity && (
            // D4.3: the estimate that orders priority 1, and the doctor helicopter when it is recommended.
            <span class={`badge sev-${c.severity.band}`} title={m.riskTitle(c.severity.model)} data-testid="severity">
              {m.risk(Math.round(c.severity.probability * 100), c.severity.recommend.includes('doctor_heli'))}
            </span>
          )}
          {pos === 'unknown' && <span class="badge pos">{lastKnown ? m.lastKnown(age(c.lastKnownPosition!.at, now)) : m.noPosition}</span>}
          {pos === 'untrusted' && <span class="badge pos">{m.positionDoubtful}</span>}
          {session && <span class={`badge call-${session.state}`}>{m.callState[session.state]}</span>}
        </span>
        <span class="times">
          <span class="age" title={m.age}>
            {age(c.openedAt, now)}
          </span>
          <span class={`timer t-${timer.state}`} title={m.answerTargetIs(targetS)}>
            {timer.label}
          </span>
        </span>
      </li>
    );
  };
  const none = cases.length === 0 && tests.length === 0;
  return (
    <section class="panel queue" aria-labelledby="queue-title">
      <h2 id="queue-title">{m.queue}</h2>
      <div class="queue-tools">
        <div class="filters" role="group" aria-label={m.filters}>
          {QUEUE_FILTERS.map((f, i) => (
            <button
              type="button"
              key={f}
              class={`filter${f === filter ? ' on' : ''}`}
              aria-pressed={f === filter}
              aria-keyshortcuts={String(i + 1)}
              data-filter={f}
              onClick={() => props.onFilter(f)}
            >
              {m.filter[f]} <span class="n">{counts[f]}</span>
            </button>
          ))}
        </div>
        <input
          ref={props.searchRef}
          type="search"
          class="search"
          aria-label={m.search}
          aria-keyshortcuts="/"
          placeholder={m.searchPlaceholder}
          value={query}
          spellcheck={false}
          autocomplete="off"
          onInput={(e) => props.onQuery(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Escape') {
              props.onQuery('');
              e.currentTarget.blur();
            }
            if (e.key === 'Enter' && cases.concat(tests)[0]) {
              props.onSelect(cases.concat(tests)[0]!.id);
              props.onOpen(cases.concat(tests)[0]!.id);
              e.currentTarget.blur();
            }
          }}
        />
      </div>
      {feed.hidden > 0 && (
        // The snapshot was cut to the server's size limit (FEED_MAX_SNAPSHOT_BYTES): say so, never hide it.
        <p class="error" role="status" data-testid="queue-truncated" title={m.truncatedTitle}>
          {m.showingOf(counts.all, counts.all + feed.hidden)}
        </p>
      )}
      {none && feed.hidden === 0 && <p class="empty">{counts.all === 0 ? m.noOpenCases : m.noMatch}</p>}
      <div
        ref={list}
        id="queue-list"
        tabIndex={0}
        role="listbox"
        aria-label={m.openCases}
        aria-activedescendant={selectedId && [...cases, ...tests].some((c) => c.id === selectedId) ? `row-${selectedId}` : undefined}
      >
        <ol role="group" aria-label={m.openCases}>
          {cases.map(row)}
        </ol>
        {tests.length > 0 && (
          // Test calls apart, below every real call; the heading is drawn from data-label (CSS).
          <ol role="group" aria-label={m.testCalls} class="tests" data-testid="test-calls" data-label={`${m.testCalls} (${tests.length})`}>
            {tests.map(row)}
          </ol>
        )}
      </div>
    </section>
  );
}
