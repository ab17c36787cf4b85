import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import type { Case } from '../../../../protocol/index.js';
import { jstDateTime, jstTime, useI18n } from '../i18n/index.js';
import { canDo, resolutionsFor, type CaseActionName } from '../lib/actions.js';
import { caseFacts, positionBadge } from '../lib/case-data.js';
import { describeMessage, describeSession, resolutionLabel } from '../lib/describe.js';
import { lockoutOf, sessionOf, type FeedState } from '../lib/feed-state.js';
import type { CasePlace } from '../lib/location.js';
import { age, answerTimer, formatDuration, lockoutCountdown } from '../lib/time.js';
import { PlaceView } from './PlaceView.js';
import { WorkPanel, type WorkProps } from './WorkPanel.js';

interface Props {
  c: Case | null;
  place: CasePlace | null;
  feed: FeedState;
  now: number;
  targetS: number;
  busy: CaseActionName | null;
  error: string | null;
  errorCode?: string;
  onAction(caseId: string, action: CaseActionName, resolution?: string): void;
  /** Issue 14 part 2: dispatches, no response, notes (components/WorkPanel.tsx). */
  work: Omit<WorkProps, 'c'>;
  /** Issue 14 part 6: a Release button (the holder, or a supervisor for another operator's case). */
  mayRelease: boolean;
}

export function CaseView({ c, place, feed, now, targetS, busy, error, errorCode, onAction, work, mayRelease }: Props) {
  const { m, lang } = useI18n();
  const [resolution, setResolution] = useState<string>(() => (c?.test ? 'test_call' : ''));
  if (!c) {
    return (
      <section class="panel case empty-case" aria-label={m.case}>
        <p>{m.selectCase}</p>
      </section>
    );
  }
  const session = sessionOf(feed, c);
  const allowed = canDo(c, session);
  const lockout = lockoutOf(feed, c);
  const pos = positionBadge(c);
  const timeline = feed.timelines.get(c.id) ?? [];
  const timer = answerTimer(c.openedAt, now, targetS, session?.connectedAt, m);
  const act = (name: CaseActionName) => () => onAction(c.id, name, name === 'close' ? resolution : undefined);
  const errorText = errorCode === 'network' ? m.unreachable : errorCode === 'choose_resolution' ? m.chooseResolution : error;

  return (
    <section class={`panel case p${c.priority}`} aria-labelledby="case-title" data-case-id={c.id}>
      <h2 id="case-title">
        <span class="prio">P{c.priority}</span> {m.trigger[c.trigger]}
        {c.test && <span class="badge test">{m.test}</span>}
        {c.escalatedAt && session?.state === 'ringing' && <span class="badge escalated">{m.work.escalated}</span>}
        {c.status === 'closed' && (
          <span class="badge closed">
            {m.closed}
            {c.resolution ? `: ${resolutionLabel(c.resolution, m)}` : ''}
          </span>
        )}
      </h2>
      <dl class="facts">
        <dt>{m.vin}</dt>
        <dd class="mono" data-testid="case-vin">
          {c.vin}
        </dd>
        <dt>{m.opened}</dt>
        <dd data-testid="opened-at">
          {jstDateTime(c.openedAt, lang)} · {m.ago(age(c.openedAt, now))}
        </dd>
        {caseFacts(c, m).map((f) => (
          <Fragment key={f.label}>
            <dt>{f.label}</dt>
            <dd>{f.value}</dd>
          </Fragment>
        ))}
        <dt>{m.occupants}</dt>
        <dd>{c.occupants ?? m.unknown}</dd>
        <dt>{m.position}</dt>
        <dd data-testid="position">
          {c.position ? (
            <>
              <span class="mono">
                {c.position.lat.toFixed(4)}, {c.position.lon.toFixed(4)}
              </span>
              {pos === 'untrusted' ? <span class="badge pos">{m.positionDoubtful}</span> : <span class="ok"> {m.trusted}</span>}
              {pos === 'untrusted' && <div class="instruction">{m.positionDoubtfulAsk}</div>}
            </>
          ) : (
            <span class="instruction">{m.positionUnknownAsk}</span>
          )}
        </dd>
        {place && (
          <>
            <dt>{m.sendHelpTo}</dt>
            <dd>
              <PlaceView place={place} now={now} />
            </dd>
          </>
        )}
        <dt>{m.call}</dt>
        <dd data-testid="call-state" data-state={session?.state ?? 'unknown'}>
          {session ? describeSession(session, m) : m.loading}
          {session?.state === 'ringing' && (
            <>
              {' · '}
              <span class={`timer t-${timer.state}`}>{timer.label}</span>
            </>
          )}
          {session?.hangupPolicy === 'operator_only' && session.state !== 'cleared' && <div class="note">{m.operatorOnlyHangup}</div>}
        </dd>
        {c.operatorId && (
          <>
            <dt>{m.operator}</dt>
            <dd data-testid="case-operator">
              {c.operatorId}
              {mayRelease && c.status === 'open' && (
                <>
                  {' '}
                  <button
                    type="button"
                    class="small-button"
                    title={m.work.releaseTitle(c.operatorId)}
                    disabled={!!work.work?.busy}
                    onClick={() => void work.runWork(c.id, 'release', () => work.api.release(c.id))}
                  >
                    {work.work?.busy === 'release' ? m.work.busy.release : m.work.release}
                  </button>
                </>
              )}
              {work.work?.kind === 'release' && work.work.error && (
                <p class="error" role="alert">
                  {work.work.error}
                </p>
              )}
            </dd>
          </>
        )}
      </dl>

      <div class="actions" role="group" aria-label={m.callActions}>
        <button type="button" class="primary" disabled={!allowed.answer || !!busy} onClick={act('answer')} aria-keyshortcuts="a">
          {m.answer} <kbd aria-hidden="true">a</kbd>
        </button>
        <button type="button" disabled={!allowed.hangup || !!busy} onClick={act('hangup')} aria-keyshortcuts="h">
          {m.hangup} <kbd aria-hidden="true">h</kbd>
        </button>
        <button type="button" disabled={!allowed.callback || !!busy} onClick={act('callback')} title={m.callbackTitle} aria-keyshortcuts="c">
          {m.callback} <kbd aria-hidden="true">c</kbd>
        </button>
        <span class="close-group">
          <select
            id="resolution"
            aria-label={m.resolution}
            aria-describedby="close-hint"
            name="resolution"
            value={resolution}
            onChange={(e) => setResolution(e.currentTarget.value)}
            onKeyDown={(e) => {
              // Keyboard close: x focuses this list, arrows choose, Enter closes the case.
              if (e.key === 'Enter' && allowed.close && resolution && !busy) {
                e.preventDefault();
                onAction(c.id, 'close', resolution);
              }
            }}
            disabled={c.status !== 'open'}
          >
            <option value="">{m.resolutionPlaceholder}</option>
            {resolutionsFor(c).map((r) => (
              <option key={r} value={r}>
                {resolutionLabel(r, m)}
              </option>
            ))}
          </select>
          <button
            type="button"
            disabled={!allowed.close || !resolution || !!busy}
            onClick={act('close')}
            title={allowed.close ? '' : m.closeNeedsClear}
            aria-keyshortcuts="x"
          >
            {m.closeCase} <kbd aria-hidden="true">x</kbd>
          </button>
        </span>
      </div>
      <p class="muted small" id="close-hint">
        {allowed.close ? m.closeHint : session?.state === 'connected' || session?.state === 'ringing' ? m.closeNeedsClear : ''}
      </p>
      {busy && <p class="busy">{m.busy[busy]}</p>}
      {errorText && (
        <p class="error" role="alert">
          {errorText}
        </p>
      )}

      <WorkPanel c={c} {...work} />

      <h3>{m.lockout}</h3>
      {lockout.active ? (
        <>
          <p class="muted">{lockoutCountdown(true, lockout.until, now, m)}</p>
          <ul class="lockout" data-testid="lockout">
            {lockout.features.map((f) => (
              <li key={f}>
                <span>{m.feature[f]}</span>
                <span class="mono">{lockout.until ? formatDuration(Math.max(0, Date.parse(lockout.until) - now)) : m.held}</span>
              </li>
            ))}
          </ul>
        </>
      ) : (
        <p class="muted" data-testid="lockout">
          {c.test ? m.nothingLockedTest : c.trigger === 'trouble' ? m.nothingLockedTrouble : m.nothingLocked}
        </p>
      )}

      <h3>{m.timeline}</h3>
      <ol class="timeline" data-testid="timeline">
        {timeline.length === 0 && <li class="muted">{m.openedBeforePage}</li>}
        {timeline.map((e) => (
          <li key={e.seq}>
            <span class="mono">{jstTime(e.at)}</span> <span class="mono muted">#{e.seq}</span> {describeMessage(e.msg, m)}
          </li>
        ))}
      </ol>
    </section>
  );
}
