import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type MetricValueWithName } from 'prom-client';

/** Prometheus metrics of one service instance, on its own registry (tests build many apps in one process). */
export class Metrics {
  readonly registry = new Registry();
  readonly events = new Counter({ name: 'anshin_events_total', help: 'Vehicle events accepted, by type', labelNames: ['type'], registers: [this.registry] });
  readonly casesOpened = new Counter({ name: 'anshin_cases_opened_total', help: 'Cases opened, by trigger', labelNames: ['trigger'], registers: [this.registry] });
  /** Dead letters (the metric keeps its first name: dashboards and tests read it). */
  readonly deadLetters = new Counter({ name: 'anshin_ingest_rejections_total', help: 'Inbound MQTT messages dead-lettered (refused at ingest), by reason', labelNames: ['reason'], registers: [this.registry] });
  readonly commitConflicts = new Counter({ name: 'anshin_commit_conflicts_total', help: 'Commits retried because the vehicle changed concurrently', registers: [this.registry] });
  readonly outboxResent = new Counter({ name: 'anshin_outbox_resent_total', help: 'Committed messages sent again because no broker had confirmed them', registers: [this.registry] });
  readonly ingestFailures = new Counter({ name: 'anshin_ingest_failures_total', help: 'Tries of an inbound message that failed, by kind (store_unavailable, busy, processing)', labelNames: ['kind'], registers: [this.registry] });
  readonly ingestHeld = new Gauge({ name: 'anshin_ingest_held', help: 'Inbound messages held (not acknowledged) while the store is unavailable', registers: [this.registry] });
  readonly lockoutsExpired = new Counter({ name: 'anshin_lockouts_expired_total', help: 'Lockouts that ended (D3.5)', registers: [this.registry] });
  readonly feedClients = new Gauge({ name: 'anshin_feed_clients', help: 'Operator feed WebSocket clients connected', registers: [this.registry] });
  readonly feedSlowClosed = new Counter({ name: 'anshin_feed_slow_consumers_closed_total', help: 'Feed clients closed with 1013 for falling behind', registers: [this.registry] });
  readonly feedClosed = new Counter({
    name: 'anshin_feed_clients_closed_total',
    help: 'Feed clients closed or refused by the service, by reason (buffer_full, stalled: 1013; too_many_clients: 503 or 1013 at connect; unavailable: 1011)',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  readonly ingestToFeed = new Histogram({
    name: 'anshin_ingest_to_feed_seconds',
    help: 'From an event arriving at the service to its feed messages being committed',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  // Issue 12 part 4, contract "Answer targets" (ANSWER_TARGET_S).
  readonly escalations = new Counter({ name: 'anshin_cases_escalated_total', help: 'Cases whose call rang past its priority answer target (escalated once each), by priority', labelNames: ['priority'], registers: [this.registry] });
  readonly answerTime = new Histogram({
    name: 'anshin_answer_time_seconds',
    help: 'From a case opening to an operator answering its ringing call, by priority',
    labelNames: ['priority'],
    buckets: [2, 5, 10, 15, 20, 30, 45, 60, 90, 120, 300],
    registers: [this.registry],
  });
  readonly answersWithinTarget = new Counter({
    name: 'anshin_answers_within_target_total',
    help: 'Calls answered within their priority answer target, by priority (share = this / anshin_answer_time_seconds_count)',
    labelNames: ['priority'],
    registers: [this.registry],
  });
  readonly dispatches = new Counter({ name: 'anshin_dispatches_total', help: 'Dispatches requested, by agency (no-response ones included)', labelNames: ['agency'], registers: [this.registry] });

  /** Per ingest stage (ingest/index.ts names them): where a message's time goes. */
  readonly ingestStage = new StageHistogram(this.registry);

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'anshin_' });
  }
}

/** Where one stage's time goes (ingest/pipeline.ts). */
export interface StageTimer {
  observe(seconds: number): void;
}

/**
 * `anshin_ingest_stage_seconds{stage}`, a histogram kept here and handed to prom-client's registry as a
 * metric of its own (the registry reads any object with `get()`; it calls it at scrape time).
 * Every inbound message is timed at four stages, 10,000 telemetry samples a second: prom-client's
 * `Histogram.observe` hashes the label object and looks up exemplars on each call (about 0.35 µs
 * each, a tenth of a telemetry sample's whole cost in the micro-bench's profile), where a stage's own counts cost a bucket search and
 * three additions. Buckets from 10 µs: decoding a telemetry sample takes a few µs, a commit to Redis
 * milliseconds.
 */
export class StageHistogram {
  static readonly BUCKETS = [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];
  readonly name = 'anshin_ingest_stage_seconds';
  readonly help = 'Time spent in each ingest stage (decode, validate, dedupe, decide+persist), dead letters and failures included';
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly stages = new Map<string, StageCounts>();

  constructor(registry: Registry) {
    registry.registerMetric(this as unknown as Histogram);
  }

  /** The timer of one stage (one per stage, however often asked). */
  timer(stage: string): StageTimer {
    let counts = this.stages.get(stage);
    if (counts === undefined) {
      counts = new StageCounts(StageHistogram.BUCKETS.length);
      this.stages.set(stage, counts);
    }
    return counts;
  }

  /** What prom-client's own histogram reports: cumulative `_bucket`s up to `+Inf`, `_sum` and `_count`, per stage. */
  async get(): Promise<Pick<StageHistogram, 'name' | 'help' | 'type' | 'aggregator'> & { values: MetricValueWithName<string>[] }> {
    const values: MetricValueWithName<string>[] = [];
    for (const [stage, counts] of this.stages) {
      let cumulative = 0;
      StageHistogram.BUCKETS.forEach((le, i) => {
        cumulative += counts.buckets[i]!;
        values.push({ metricName: `${this.name}_bucket`, labels: { le, stage }, value: cumulative });
      });
      values.push({ metricName: `${this.name}_bucket`, labels: { le: '+Inf', stage }, value: counts.count });
      values.push({ metricName: `${this.name}_sum`, labels: { stage }, value: counts.sum });
      values.push({ metricName: `${this.name}_count`, labels: { stage }, value: counts.count });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  reset(): void {
    for (const counts of this.stages.values()) counts.reset();
  }
}

/** One stage's counts: `buckets[i]` holds the observations in (BUCKETS[i-1], BUCKETS[i]]; above the last, only `count`. */
class StageCounts implements StageTimer {
  readonly buckets: Float64Array;
  sum = 0;
  count = 0;

  constructor(size: number) {
    this.buckets = new Float64Array(size);
  }

  observe(seconds: number): void {
    const bounds = StageHistogram.BUCKETS;
    let i = 0;
    while (i < bounds.length && seconds > bounds[i]!) i++;
    if (i < bounds.length) this.buckets[i]!++;
    this.sum += seconds;
    this.count++;
  }

  reset(): void {
    this.buckets.fill(0);
    this.sum = 0;
    this.count = 0;
  }
}
