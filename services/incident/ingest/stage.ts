import type { Logger } from 'pino';
import type { Config } from '../../config.js';
import type { IncidentCore } from '../core.js';
import type { PositionTracker } from './positions.js';

export interface IngestDeps {
  config: Config;
  core: IncidentCore;
  logger: Logger;
  /** Cars' last known positions from telemetry (issue 12, D2.1): read by events, kept by telemetry. */
  positions: PositionTracker;
}

/**
 * One named step of ingest (STYLE 5): takes the context it needs, returns the next one; throws
 * DeadLetterError to refuse the message. A stage with nothing to wait for returns its result directly
 * (no promise), which keeps the 10,000 msg/s telemetry path free of needless microtask turns.
 */
export type Stage<In, Out> = (ctx: In, deps: IngestDeps) => Out | Promise<Out>;

export function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return value instanceof Promise;
}
