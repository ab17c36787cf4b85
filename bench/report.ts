import { MODE_LABELS } from './modes.js';
import type { BenchResult } from './run.js';
import type { ModeResult } from './run-mode.js';

type Cell = string | number | null | undefined;
const fmt = (v: Cell, unit = '') => (v === null || v === undefined ? '–' : `${typeof v === 'number' ? v.toLocaleString('en-US') : v}${unit}`);
const x = (v: Cell) => (v === null || v === undefined ? '–' : `${v}x`);

interface Row {
  label: string;
  cell: (m: ModeResult) => Cell;
  target?: string;
}

const ROWS: Row[] = [
  { label: 'cars connected (of N)', cell: (m) => (m.connect ? `${fmt(m.steady?.carsConnected ?? m.connect.connected)} of ${fmt(m.connect.cars)}` : null), target: '10,000' },
  { label: 'connect time', cell: (m) => (m.connect ? `${fmt(m.connect.seconds, ' s')}${m.connect.deadlineHit ? ' (deadline: rest not waited for)' : ''}` : null) },
  { label: 'telemetry received by the broker, msg/s (1 Hz per car)', cell: (m) => fmt(m.steady?.telemetryPerSec), target: '10,000' },
  { label: '**steady** crash-to-feed p50', cell: (m) => fmt(m.steady?.latency.p50Ms, ' ms') },
  { label: 'steady crash-to-feed p99', cell: (m) => fmt(m.steady?.latency.p99Ms, ' ms'), target: '< 50 ms' },
  { label: 'steady crash-to-feed p99.9', cell: (m) => fmt(m.steady?.latency.p999Ms, ' ms') },
  { label: 'steady crash-to-feed max', cell: (m) => fmt(m.steady?.latency.maxMs, ' ms') },
  { label: '… of which publish → case opened by the service, p50 / p99', cell: (m) => (m.steady ? `${fmt(m.steady.split.toOpened.p50Ms)} / ${fmt(m.steady.split.toOpened.p99Ms)} ms` : null) },
  { label: '… of which case opened → on the operator socket, p50 / p99', cell: (m) => (m.steady ? `${fmt(m.steady.split.toFeed.p50Ms)} / ${fmt(m.steady.split.toFeed.p99Ms)} ms` : null) },
  { label: 'steady crashes (lost)', cell: (m) => (m.steady ? `${fmt(m.steady.crashes)} (${m.steady.lost})` : null), target: '0 lost' },
  { label: '**floor** under the same load: broker pub→sub p50 / p99', cell: (m) => (m.floor ? `${fmt(m.floor.underLoad.p50Ms)} / ${fmt(m.floor.underLoad.p99Ms)} ms` : null) },
  { label: 'floor idle (no cars): p50 / p99', cell: (m) => (m.floor ? `${fmt(m.floor.idle.p50Ms)} / ${fmt(m.floor.idle.p99Ms)} ms` : null) },
  { label: 'floor throughput (QoS 1, one publisher)', cell: (m) => (m.floor ? `${fmt(Math.round(m.floor.throughput.perSec))} msg/s` : null) },
  { label: 'pipeline p50 / floor p50 (same load)', cell: (m) => x(m.steady?.p50VsFloor), target: '≤ 3x' },
  { label: 'pipeline p99 / floor p99 (same load)', cell: (m) => x(m.steady?.p99VsFloor) },
  { label: 'pipeline p50 / idle floor p50', cell: (m) => x(m.steady?.p50VsIdleFloor) },
  { label: '**storm** crashes published within 1 s', cell: (m) => (m.storm ? `${fmt(m.storm.crashes)} in ${m.storm.publishSpanMs} ms` : null), target: '1,000' },
  { label: 'storm: every case on the feed after', cell: (m) => (m.storm ? (m.storm.crashes === 0 ? 'no storm (no car left)' : m.storm.allOnFeedMs === null ? 'not all' : fmt(m.storm.allOnFeedMs, ' ms')) : null), target: '< 2,000 ms' },
  { label: 'storm lost', cell: (m) => m.storm?.lost, target: '0' },
  { label: 'storm crash-to-feed p50 / p99', cell: (m) => (m.storm ? `${fmt(m.storm.latency.p50Ms)} / ${fmt(m.storm.latency.p99Ms)} ms` : null) },
  { label: 'storm drain rate vs floor throughput', cell: (m) => (m.storm && m.floor ? `${fmt(m.storm.casesPerSec)} cases/s (${Math.round((m.storm.casesPerSec / m.floor.throughput.perSec) * 100)}%)` : null) },
  { label: '**burst** crashes fired at once (unpaced), published in', cell: (m) => (m.burst ? `${fmt(m.burst.crashes)} in ${fmt(m.burst.publishSpanMs, ' ms')}` : null), target: '10,000' },
  { label: 'burst: every case on the feed after', cell: (m) => (m.burst ? (m.burst.allOnFeedMs === null ? 'not all' : fmt(m.burst.allOnFeedMs, ' ms')) : null) },
  { label: 'burst lost / duplicated', cell: (m) => (m.burst ? `${m.burst.lost} / ${m.burst.duplicated}` : null), target: '0 / 0' },
  { label: 'burst drain rate, share of floor throughput', cell: (m) => (m.burst ? `${fmt(m.burst.casesPerSec)} cases/s (${m.burst.vsFloorThroughput === null ? '–' : `${Math.round(m.burst.vsFloorThroughput * 1000) / 10}%`})` : null), target: '≥ 25%' },
  { label: 'burst: CPU of the deployment per case', cell: (m) => fmt(m.burst?.cpuMsPerCase, ' ms') },
  { label: 'operator feed closed by the service (code; resumed with since)', cell: (m) => (m.steady ? m.steady.feedCloseCodes.join(', ') || 'never' : null) },
  { label: 'burst: the feed closed by the service (code); cases seen only in the snapshot a resume got', cell: (m) => (m.burst?.feedCloseCodes ? `${m.burst.feedCloseCodes.join(', ') || 'never'}; ${fmt(m.burst.inSnapshot)}` : null) },
  { label: '**memory** RSS before → after the cars', cell: (m) => (m.memory ? `${m.memory.rssBeforeMb} → ${m.memory.rssAfterMb} MB` : null) },
  { label: 'memory per connected car', cell: (m) => fmt(m.memory?.perCarKb, ' KB') },
  { label: 'peak RSS of the deployment during the run', cell: (m) => (m.rssTimeline?.length ? fmt(Math.max(...m.rssTimeline.map((t) => t.mb)), ' MB') : null) },
  { label: 'CPU during steady, deployment (% of one core)', cell: (m) => fmt(m.steady?.cpu.deploymentPctOfCore, '%') },
  { label: 'CPU during steady, bench process with the cars', cell: (m) => fmt(m.steady?.cpu.benchPctOfCore, '%') },
  { label: 'bench event-loop delay p99 (inflates every latency above)', cell: (m) => fmt(m.steady?.benchEventLoopDelayP99Ms, ' ms') },
];

/** The report: one column per mode, targets beside, then the replay and the target verdicts. */
export function renderMarkdown(r: BenchResult): string {
  const modes = r.modes;
  const lines: string[] = [];
  lines.push(`### anshin bench${r.quick ? ' (quick)' : ''}: ${r.startedAt.slice(0, 16).replace('T', ' ')} UTC`);
  lines.push('');
  lines.push(
    `${r.machine.cpus} × ${r.machine.cpuModel}, ${r.machine.memGb} GiB, Node ${r.machine.node}, commit ${r.machine.commit ?? '?'}, load average at start ${r.machine.loadAvgAtStart.join(' / ')}. ` +
      `${fmt(r.params.cars)} cars at 1 Hz, steady ${r.params.steadyMs / 1000} s with ${r.params.crashesPerSec} crashes/s, storm ${fmt(r.params.stormSize)} crashes in ${r.params.stormWindowMs} ms, burst ${fmt(r.params.burstSize)} crashes at once.`,
  );
  lines.push('');
  lines.push(`| | ${modes.map((m) => MODE_LABELS[m.mode]).join(' | ')} | target (embedded) |`);
  lines.push(`| --- | ${modes.map(() => '---:').join(' | ')} | --- |`);
  for (const row of ROWS) lines.push(`| ${row.label} | ${modes.map((m) => fmt(row.cell(m))).join(' | ')} | ${row.target ?? ''} |`);
  const failed = modes.filter((m) => !m.ok);
  if (failed.length) {
    lines.push('');
    for (const m of failed) lines.push(`- **${MODE_LABELS[m.mode]} failed:** ${(m.error ?? '').split('\n')[0]}`);
  }
  lines.push('');
  const rp = r.replay;
  lines.push(
    rp.status === 'ok'
      ? `**replay** \`${rp.command}\`: ${fmt(rp.fed)} events in ${rp.replaySeconds} s = **${fmt(rp.eventsPerSec)} events/s** (target ≥ 20,000); whole command with start-up and parsing ${rp.wallSeconds} s = ${fmt(rp.eventsPerSecWall)} events/s.`
      : `**replay**: ${rp.status} (${rp.reason}).`,
  );
  lines.push('');
  lines.push(`| target | measured | ${r.quick ? 'verdict (quick run: not judged)' : 'verdict'} |`);
  lines.push('| --- | --- | --- |');
  for (const t of r.targets) lines.push(`| ${t.target} | ${t.measured} | ${r.quick ? `(${t.status})` : `**${t.status}**`} |`);
  lines.push('');
  return lines.join('\n');
}
