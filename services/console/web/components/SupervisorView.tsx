import { useEffect, useRef, useState } from 'preact/hooks';
import type { Case, Dispatch, Stats } from '../../../../protocol/index.js';
import { jstTime, useI18n } from '../i18n/index.js';
import { ApiError, type Api } from '../lib/api.js';
import { formatDuration } from '../lib/time.js';

/** How often the figures are read again without a feed message (the feed also triggers a read). */
export const STATS_POLL_MS = 5000;

interface Props {
  api: Api;
  /** The feed's last seq: every feed message reads the figures again (at most one read in flight). */
  seq: number | null;
  /** The open cases the page knows (operators and their cases, open dispatches). */
  cases: readonly Case[];
  onOpenCase(id: string): void;
}

const PRIORITIES = ['1', '2', '3'] as const;

/** Still on its way or at work (contract "Dispatches"): not completed or cancelled. */
const isOpenDispatch = (d: Dispatch) => d.status !== 'completed' && d.status !== 'cancelled';

/**
 * Issue 14 part 4, the supervisor view: `GET /v1/stats` (queue depth by priority and call state, the
 * oldest ringing call, answer time p50 / p90 and the share within target per priority, open dispatches,
 * operators on duty), read again on every feed message and every few seconds; and, from the feed, which
 * operator holds which case and the dispatches under way.
 */
export function SupervisorView({ api, seq, cases, onOpenCase }: Props) {
  const { m, lang } = useI18n();
  const [stats, setStats] = useState<Stats | null>(null);
  const [error, setError] = useState<string | null>(null);
  const inFlight = useRef(false);
  const again = useRef(false);
  const read = useRef<() => void>(() => {});
  read.current = () => {
    if (inFlight.current) {
      again.current = true;
      return;
    }
    inFlight.current = true;
    api
      .stats()
      .then((s) => {
        setStats(s);
        setError(null);
      })
      .catch((err: unknown) => setError(err instanceof ApiError && err.status === 403 ? m.sup.forbidden : err instanceof ApiError && err.code === 'network' ? m.unreachable : m.sup.failed))
      .finally(() => {
        inFlight.current = false;
        if (again.current) {
          again.current = false;
          read.current();
        }
      });
  };
  useEffect(() => read.current(), [seq]);
  useEffect(() => {
    const timer = setInterval(() => read.current(), STATS_POLL_MS);
    return () => clearInterval(timer);
  }, []);

  const byOperator = new Map<string, Case[]>();
  for (const c of cases) if (c.status === 'open' && c.operatorId) byOperator.set(c.operatorId, [...(byOperator.get(c.operatorId) ?? []), c]);
  const dispatches = cases.filter((c) => c.status === 'open').flatMap((c) => (c.dispatches ?? []).filter(isOpenDispatch).map((d) => ({ c, d })));
  const secs = (s: number | null) => (s === null ? m.sup.none : lang === 'ja' ? `${s.toFixed(1)}秒` : `${s.toFixed(1)} s`);
  const pct = (share: number | null) => (share === null ? m.sup.none : `${Math.round(share * 100)}%`);

  return (
    <section class="panel supervisor" aria-labelledby="sup-title" data-testid="supervisor">
      <h2 id="sup-title">
        {m.sup.title}
        {stats && <span class="muted small" data-testid="stats-at">{m.sup.updatedAt(jstTime(stats.at))}</span>}
      </h2>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {stats && (
        <>
          <div class="kpis">
            <div class="kpi">
              <span class="kpi-label">{m.sup.oldestRinging}</span>
              <span class="kpi-value" data-testid="oldest-ringing">
                {stats.queue.oldestRingingSeconds === null ? m.sup.none : formatDuration(stats.queue.oldestRingingSeconds * 1000)}
              </span>
            </div>
            <div class="kpi">
              <span class="kpi-label">{m.sup.dispatchesOpen}</span>
              <span class="kpi-value" data-testid="dispatches-open">
                {stats.dispatchesOpen}
              </span>
            </div>
            <div class="kpi">
              <span class="kpi-label">{m.sup.operatorsOnDuty}</span>
              <span class="kpi-value" data-testid="operators-on-duty">
                {stats.operatorsOnDuty}
              </span>
            </div>
          </div>
          <table class="stats" data-testid="queue-depth">
            <caption>{m.sup.queueDepth}</caption>
            <thead>
              <tr>
                <th scope="col">{m.sup.priority}</th>
                <th scope="col">{m.sup.ringing}</th>
                <th scope="col">{m.sup.connected}</th>
                <th scope="col">{m.sup.cleared}</th>
                <th scope="col">{m.sup.total}</th>
              </tr>
            </thead>
            <tbody>
              {PRIORITIES.map((p) => {
                const q = stats.queue.byPriority[p];
                return (
                  <tr key={p} data-priority={p} class={`p${p}`}>
                    <th scope="row">
                      <span class="prio">P{p}</span>
                    </th>
                    <td data-col="ringing">{q.ringing}</td>
                    <td data-col="connected">{q.connected}</td>
                    <td data-col="cleared">{q.cleared}</td>
                    <td data-col="total">{q.ringing + q.connected + q.cleared}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <table class="stats" data-testid="answer-time">
            <caption>
              {m.sup.answerTime} <span class="muted small">({m.sup.window(stats.answerTime.windowHours)})</span>
            </caption>
            <thead>
              <tr>
                <th scope="col">{m.sup.priority}</th>
                <th scope="col">{m.sup.p50}</th>
                <th scope="col">{m.sup.p90}</th>
                <th scope="col">{m.sup.withinTarget}</th>
                <th scope="col">{m.sup.answered}</th>
                <th scope="col">{m.sup.target}</th>
              </tr>
            </thead>
            <tbody>
              {PRIORITIES.map((p) => {
                const a = stats.answerTime.byPriority[p];
                return (
                  <tr key={p} data-priority={p} class={`p${p}`}>
                    <th scope="row">
                      <span class="prio">P{p}</span>
                    </th>
                    <td data-col="p50">{secs(a.p50Seconds)}</td>
                    <td data-col="p90">{secs(a.p90Seconds)}</td>
                    <td data-col="within">{pct(a.withinTargetShare)}</td>
                    <td data-col="answered">{a.answered}</td>
                    <td data-col="target">{lang === 'ja' ? `${a.targetSeconds}秒` : `${a.targetSeconds} s`}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </>
      )}
      <h3>{m.sup.operatorCases}</h3>
      <ul class="sup-list" data-testid="operator-cases">
        {byOperator.size === 0 && <li class="muted">{m.sup.none}</li>}
        {[...byOperator].map(([op, held]) => (
          <li key={op} data-operator={op}>
            <strong>{op}</strong>:{' '}
            {held.map((c, i) => (
              <span key={c.id}>
                {i > 0 && ', '}
                <button type="button" class="link" onClick={() => onOpenCase(c.id)}>
                  P{c.priority} {m.trigger[c.trigger]} <span class="mono">{c.vin.slice(-6)}</span>
                </button>
              </span>
            ))}
          </li>
        ))}
      </ul>
      <h3>{m.sup.openDispatches}</h3>
      <ul class="sup-list" data-testid="open-dispatches">
        {dispatches.length === 0 && <li class="muted">{m.sup.none}</li>}
        {dispatches.map(({ c, d }) => (
          <li key={d.id}>
            <button type="button" class="link" onClick={() => onOpenCase(c.id)}>
              <span class="mono">{c.vin.slice(-6)}</span>
            </button>{' '}
            {m.work.agencyName[d.agency]} · {m.work.status[d.status]}
            {d.etaMinutes !== undefined && ` · ${m.work.etaValue(d.etaMinutes)}`}
          </li>
        ))}
      </ul>
    </section>
  );
}
