import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import { RESOLUTIONS } from '../../../../protocol/http.js';
import type { Case } from '../../../../protocol/index.js';
import { canDo, type CaseActionName } from '../lib/actions.js';
import { caseFacts, positionBadge } from '../lib/case-data.js';
import { describeSession, FEATURE_LABEL, TRIGGER_LABEL } from '../lib/describe.js';
import { lockoutOf, sessionOf, type FeedState } from '../lib/feed-state.js';
import { age, answerTimer, formatDuration, lockoutCountdown } from '../lib/time.js';

interface Props {
  c: Case | null;
  feed: FeedState;
  now: number;
  targetS: number;
  busy: CaseActionName | null;
  error: string | null;
  onAction(caseId: string, action: CaseActionName, resolution?: string): void;
}

export function CaseView({ c, feed, now, targetS, busy, error, onAction }: Props) {
  const [resolution, setResolution] = useState<string>(() => (c?.test ? 'test_call' : ''));
  if (!c) {
    return (
      <section class="panel case empty-case" aria-label="Case">
        <p>Select a case: click a row, or j / k then Enter. <kbd>a</kbd> answers.</p>
      </section>
    );
  }
  const session = sessionOf(feed, c);
  const allowed = canDo(c, session);
  const lockout = lockoutOf(feed, c);
  const pos = positionBadge(c);
  const timeline = feed.timelines.get(c.id) ?? [];
  const timer = answerTimer(c.openedAt, now, targetS, session?.connectedAt);
  const act = (name: CaseActionName) => () => onAction(c.id, name, name === 'close' ? resolution : undefined);

  return (
    <section class={`panel case p${c.priority}`} aria-labelledby="case-title" data-case-id={c.id}>
      <h2 id="case-title">
        <span class="prio">P{c.priority}</span> {TRIGGER_LABEL[c.trigger]}
        {c.test && <span class="badge test">TEST</span>}
        {c.status === 'closed' && <span class="badge closed">closed{c.resolution ? `: ${c.resolution.replaceAll('_', ' ')}` : ''}</span>}
      </h2>
      <dl class="facts">
        <dt>VIN</dt>
        <dd class="mono" data-testid="case-vin">{c.vin}</dd>
        <dt>Opened</dt>
        <dd>
          {c.openedAt.slice(11, 19)} UTC · {age(c.openedAt, now)} ago
        </dd>
        {caseFacts(c).map((f) => (
          <Fragment key={f.label}>
            <dt>{f.label}</dt>
            <dd>{f.value}</dd>
          </Fragment>
        ))}
        <dt>Occupants</dt>
        <dd>{c.occupants ?? 'unknown'}</dd>
        <dt>Position</dt>
        <dd>
          {c.position ? `${c.position.lat.toFixed(4)}, ${c.position.lon.toFixed(4)}` : 'unknown: ask the caller (D2.7)'}
          {pos === 'untrusted' && <span class="badge pos">doubtful fix</span>}
          {c.position?.trusted && <span class="ok"> trusted</span>}
        </dd>
        <dt>Call</dt>
        <dd data-testid="call-state" data-state={session?.state ?? 'unknown'}>
          {session ? describeSession(session) : 'loading…'}
          {session?.hangupPolicy === 'operator_only' && <span class="note"> · only the operator can hang up (D2.2)</span>}
          {session?.state === 'ringing' && (
            <>
              {' · '}
              <span class={`timer t-${timer.state}`}>{timer.label}</span>
            </>
          )}
        </dd>
        {c.operatorId && (
          <>
            <dt>Operator</dt>
            <dd>{c.operatorId}</dd>
          </>
        )}
      </dl>

      <div class="actions" role="group" aria-label="Call actions">
        <button type="button" class="primary" disabled={!allowed.answer || !!busy} onClick={act('answer')} aria-keyshortcuts="a">
          Answer
        </button>
        <button type="button" disabled={!allowed.hangup || !!busy} onClick={act('hangup')}>
          Hang up
        </button>
        <button type="button" disabled={!allowed.callback || !!busy} onClick={act('callback')} title="D2.6: after clear-down">
          Call back
        </button>
        <span class="close-group">
          <select
            aria-label="Resolution"
            name="resolution"
            value={resolution}
            onChange={(e) => setResolution(e.currentTarget.value)}
            disabled={c.status !== 'open'}
          >
            <option value="">Resolution…</option>
            {RESOLUTIONS.map((r) => (
              <option key={r} value={r}>
                {r.replaceAll('_', ' ')}
              </option>
            ))}
          </select>
          <button
            type="button"
            disabled={!allowed.close || !resolution || !!busy}
            onClick={act('close')}
            title={allowed.close ? '' : 'Clear the call first'}
          >
            Close case
          </button>
        </span>
      </div>
      {busy && <p class="busy">{busy}…</p>}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}

      <h3>Lockout</h3>
      {lockout.active ? (
        <>
          <p class="muted">{lockoutCountdown(true, lockout.until, now)} (D3.5)</p>
          <ul class="lockout" data-testid="lockout">
            {lockout.features.map((f) => (
              <li key={f}>
                <span>{FEATURE_LABEL[f]}</span>
                <span class="mono">{lockout.until ? formatDuration(Math.max(0, Date.parse(lockout.until) - now)) : 'held'}</span>
              </li>
            ))}
          </ul>
        </>
      ) : (
        <p class="muted" data-testid="lockout">
          Nothing locked{c.test ? ' (test call, D3)' : c.trigger === 'trouble' ? ' (trouble support, D3.3)' : ''}.
        </p>
      )}

      <h3>Timeline</h3>
      <ol class="timeline" data-testid="timeline">
        {timeline.length === 0 && <li class="muted">Opened before this page connected.</li>}
        {timeline.map((e) => (
          <li key={e.seq}>
            <span class="mono">{e.at.slice(11, 19)}</span> <span class="mono muted">#{e.seq}</span> {e.text}
          </li>
        ))}
      </ol>
    </section>
  );
}
