import type { Logger } from 'pino';
import type { Config } from '../../config.js';
import type { IncidentCore } from '../core.js';
import type { IngestContext } from './context.js';

export interface IngestDeps {
  config: Config;
  core: IncidentCore;
  logger: Logger;
}

/** One named step of ingest (STYLE 5); throws Rejected to refuse the message. */
export type Stage = (ctx: IngestContext, deps: IngestDeps) => Promise<void>;
