import type { RunResult } from './scenarios/kind.js';

/** One row of the final table: every run of one scenario (mode × fault), summed. */
export interface ScenarioSummary {
  scenario: string;
  kind: string;
  mode: string;
  variant: string;
  runs: number;
  okRuns: number;
  acknowledged: number;
  committed: number;
  lost: number;
  duplicated: number;
  unacknowledged: number;
  errors: number;
  /** Checks (poison, limits) that failed, over all runs. */
  failedChecks: number;
  lostPerRun: number[];
}

export function summarize(runs: RunResult[]): ScenarioSummary[] {
  const rows = new Map<string, ScenarioSummary>();
  for (const r of runs) {
    const row =
      rows.get(r.scenario) ??
      rows.set(r.scenario, { scenario: r.scenario, kind: r.kind, mode: r.mode, variant: r.variant, runs: 0, okRuns: 0, acknowledged: 0, committed: 0, lost: 0, duplicated: 0, unacknowledged: 0, errors: 0, failedChecks: 0, lostPerRun: [] }).get(r.scenario)!;
    row.runs++;
    if (r.ok) row.okRuns++;
    if (r.error) row.errors++;
    row.failedChecks += r.checks.filter((c) => !c.ok).length;
    const d = r.delivery;
    row.acknowledged += d?.acknowledged ?? 0;
    row.committed += d?.committed ?? 0;
    row.lost += d?.lost ?? 0;
    row.duplicated += d?.duplicated ?? 0;
    row.unacknowledged += d?.unacknowledged ?? 0;
    row.lostPerRun.push(d?.lost ?? Number.NaN);
  }
  return [...rows.values()];
}

const s = (ms: number | null | undefined) => (ms === null || ms === undefined ? '–' : `${(ms / 1000).toFixed(1)} s`);

/** The line printed when a run ends. */
export function runLine(r: RunResult, index: number, total: number): string {
  const head = `[${index}/${total}] ${r.scenario} #${r.run}  ${r.ok ? 'ok  ' : 'FAIL'}`;
  const d = r.delivery;
  const counts = d
    ? `sent ${d.sent} acked ${d.acknowledged} committed ${d.committed} lost ${d.lost} dup ${d.duplicated} unacked ${d.unacknowledged} | resent ${d.resent}, reconnects ${r.timings.reconnects ?? '–'}`
    : 'no counts';
  const checks = r.checks.length ? ` | checks ${r.checks.filter((c) => c.ok).length}/${r.checks.length} ok` : '';
  const f = r.fault;
  const fault =
    f && f.fault !== 'none'
      ? ` | ${f.action} ${f.target ?? ''} at ${f.ackedAtStart} acked: ${f.exitMs !== undefined ? `exit ${s(f.exitMs)}, ` : ''}down ${s(f.downMs)}, ready after ${s(f.readyAfterMs)}`
      : '';
  // Each check on a line of its own with what it measured; other failures after them.
  const checkLines = r.checks.map((c) => `\n      ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.measured}${c.ok ? '' : ` (expected ${c.expected})`}`).join('');
  const others = r.failures.filter((f) => !r.checks.some((c) => !c.ok && f === `${c.name}: ${c.measured}`));
  const why = r.ok || others.length === 0 ? '' : `\n      ${others.join('\n      ')}`;
  return `${head}  ${counts}${checks}${fault} | ${s(r.wallMs)}${checkLines}${why}`;
}

const COLUMNS: Array<[string, (row: ScenarioSummary) => string | number]> = [
  ['scenario (mode × fault)', (x) => x.scenario],
  ['runs', (x) => x.runs],
  ['ok runs', (x) => x.okRuns],
  ['acknowledged', (x) => x.acknowledged],
  ['committed', (x) => x.committed],
  ['lost', (x) => x.lost],
  ['duplicated', (x) => x.duplicated],
  ['unacked', (x) => x.unacknowledged],
  ['failed checks', (x) => x.failedChecks],
  ['lost per run', (x) => x.lostPerRun.map((n) => (Number.isNaN(n) ? 'error' : n)).join(' ')],
];

/** The final table as aligned plain text, for the terminal. */
export function textTable(rows: ScenarioSummary[]): string {
  const cells = [COLUMNS.map(([h]) => h), ...rows.map((row) => COLUMNS.map(([, f]) => String(f(row))))];
  const widths = COLUMNS.map((_, i) => Math.max(...cells.map((c) => c[i]!.length)));
  return cells.map((c) => c.map((v, i) => (i === 0 || i === c.length - 1 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ').trimEnd()).join('\n');
}

/** The same as Markdown, with the command line and the knobs. */
export function markdownTable(rows: ScenarioSummary[], heading: string): string {
  const head = `| ${COLUMNS.map(([h]) => h).join(' | ')} |`;
  const rule = `| ${COLUMNS.map((_, i) => (i === 0 || i === COLUMNS.length - 1 ? '---' : '---:')).join(' | ')} |`;
  const body = rows.map((row) => `| ${COLUMNS.map(([, f]) => String(f(row))).join(' | ')} |`);
  return [heading, '', head, rule, ...body, ''].join('\n');
}
