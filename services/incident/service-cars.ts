import type { Logger } from 'pino';
import { findJsonLimitProblem, findUnrealTime, MAX_JSON_DEPTH, parseServiceCarTopic, ServiceCarPosition, validator, describeIssues, EARLIEST_TIME, LATEST_TIME } from '../../protocol/index.js';
import type { Clock } from '../../lib/clock/index.js';
import { BatchFlush } from './batch-flush.js';
import type { Config } from '../config.js';
import type { IncidentCore } from './core.js';
import { DeadLetterError } from './ingest/dead-letter.js';
import type { Metrics } from './metrics.js';
import type { ServiceCarFix, Store } from './store/port.js';

const position = validator(ServiceCarPosition);

export type ServiceCarOutcome = { status: 'service_car_position'; id: string; kept: boolean } | { status: 'dead_lettered'; reason: DeadLetterError['reason']; detail?: string };

export interface ServiceCarsDeps {
  store: Store;
  clock: Clock;
  config: Pick<Config, 'POSITION_FLUSH_MS' | 'MAX_PAYLOAD_BYTES'>;
  core: IncidentCore;
  metrics: Metrics;
  logger: Logger;
}

/**
 * Contract "Service-car arrival" (D4.6): `v1/service-cars/{id}/position` reports, taken through the same
 * intake as the cars' topics (the embedded broker's publish path, or the external broker's session), so
 * a PUBACK means what it means for telemetry: validated and kept (here, in memory), or dead-lettered with
 * a reason. Reports are frequent: each keeps only the newest fix per service car, in memory (a map write),
 * and the service cars that moved are saved to the store in one batch every POSITION_FLUSH_MS
 * (store/service-car-port.ts), as cars' positions are (ingest/positions.ts), so that a tracking link
 * answered by another instance sees them at most one flush interval late.
 */
export class ServiceCars {
  private readonly newest = new Map<string, ServiceCarFix>();
  private dirty = new Map<string, ServiceCarFix>();
  private readonly batches: BatchFlush;

  constructor(private readonly deps: ServiceCarsDeps) {
    this.batches = new BatchFlush(deps.clock, deps.config.POSITION_FLUSH_MS, () => this.save());
  }

  /** One report from the intake; never throws for bad input (dead-lettered), only for a fault. */
  async ingest(topic: string, payload: Buffer): Promise<ServiceCarOutcome> {
    try {
      return this.take(topic, payload);
    } catch (err) {
      if (!(err instanceof DeadLetterError)) throw err;
      this.deps.metrics.deadLetters.inc({ reason: err.reason });
      this.deps.logger.warn({ reason: err.reason, detail: err.detail, topic }, 'service-car position dead-lettered');
      this.deps.core.deadLetter(topic, payload, err.reason, err.detail);
      return { status: 'dead_lettered', reason: err.reason, ...(err.detail ? { detail: err.detail } : {}) };
    }
  }

  /** This instance's newest fix of a service car, or the store's (another instance's), whichever is newer. */
  async fix(id: string): Promise<ServiceCarFix | null> {
    const local = this.newest.get(id) ?? null;
    const stored = await this.deps.store.loadServiceCarFix(id);
    if (!stored) return local;
    if (!local) return stored;
    return local.at >= stored.at ? local : stored;
  }

  stop(): Promise<void> {
    return this.batches.stop();
  }

  flush(): Promise<void> {
    return this.batches.flush();
  }

  private take(topic: string, payload: Buffer): ServiceCarOutcome {
    const route = parseServiceCarTopic(topic);
    if (!route) throw new DeadLetterError('unknown_topic', topic);
    if (payload.length > this.deps.config.MAX_PAYLOAD_BYTES) throw new DeadLetterError('payload_too_large', `${payload.length} bytes > ${this.deps.config.MAX_PAYLOAD_BYTES}`);
    let json: unknown;
    try {
      json = JSON.parse(payload.toString('utf8'));
    } catch (err) {
      throw new DeadLetterError('malformed_json', err instanceof Error ? err.message : String(err));
    }
    const problem = findJsonLimitProblem(json);
    if (problem) throw new DeadLetterError(problem.kind, problem.kind === 'nesting_too_deep' ? `deeper than ${MAX_JSON_DEPTH} at ${problem.pointer}` : `lone surrogate at ${problem.pointer}`);
    if (typeof json === 'object' && json !== null && 'v' in json && (json as { v: unknown }).v !== 1) throw new DeadLetterError('unsupported_version', `v=${JSON.stringify((json as { v: unknown }).v)}`);
    if (!position.check(json)) {
      const issues = position.issues(json);
      const reason = issues.some((i) => /^\/position\/(lat|lon)$/.test(i.path)) ? 'position_out_of_range' : 'schema_invalid';
      throw new DeadLetterError(reason, describeIssues(issues));
    }
    const unreal = findUnrealTime(ServiceCarPosition, json);
    if (unreal !== undefined) throw new DeadLetterError('invalid_timestamp', `${unreal}: not a real time in [${EARLIEST_TIME}, ${LATEST_TIME})`);
    const kept = this.newest.get(route.id);
    // QoS 1 may arrive again or out of order: an older fix changes nothing.
    if (kept && json.ts <= kept.at) return { status: 'service_car_position', id: route.id, kept: false };
    const fix: ServiceCarFix = { id: route.id, position: json.position, at: json.ts };
    this.newest.set(route.id, fix);
    this.dirty.set(route.id, fix);
    this.batches.due();
    return { status: 'service_car_position', id: route.id, kept: true };
  }

  private async save(): Promise<void> {
    if (this.dirty.size === 0) return;
    const batch = this.dirty;
    this.dirty = new Map();
    try {
      await this.deps.store.saveServiceCarFixes([...batch.values()]);
    } catch (err) {
      this.deps.logger.warn({ err: (err as Error).message, serviceCars: batch.size }, 'service-car positions not saved; trying again with the next batch');
      for (const [id, fix] of batch) if (!this.dirty.has(id)) this.dirty.set(id, fix);
      this.batches.due();
    }
  }
}
