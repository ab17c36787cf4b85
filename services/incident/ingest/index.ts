import type { Logger } from 'pino';
import { parseTopic, type DeadLetterReason } from '../../../protocol/index.js';
import type { Processed, Raw } from './context.js';
import { DeadLetterError } from './dead-letter.js';
import { decideAndPersist } from './decide-and-persist.js';
import { decode } from './decode.js';
import { dedupe } from './dedupe.js';
import { Pipeline } from './pipeline.js';
import { isPromise, type IngestDeps } from './stage.js';
import { validate } from './validate.js';

/**
 * Ingest, in order (STYLE 5): decode -> validate -> dedupe -> decide + persist (one step: a conflict
 * means deciding again). Publishing to the car happens inside the commit step, after the commit, so
 * nothing is sent that was not kept. The MQTT acknowledgement is sent only after `handle` resolves.
 * Each stage's time is in `/metrics` as `anshin_ingest_stage_seconds{stage}`, under these names.
 */
export const INGEST = Pipeline.start<Raw>()
  .then('decode', decode)
  .then('validate', validate)
  .then('dedupe', dedupe)
  .then('decide+persist', decideAndPersist);

export const STAGES: readonly string[] = INGEST.names;

export type IngestOutcome = { status: 'accepted'; processed: Processed } | { status: 'dead_lettered'; reason: DeadLetterReason; detail?: string };

export function createIngest(deps: IngestDeps) {
  const { core, logger } = deps;
  const { metrics, clock } = core.deps;
  const run = INGEST.build((stage) => metrics.ingestStage.timer(stage));
  return async function handle(topic: string, payload: Buffer): Promise<IngestOutcome> {
    let processed: Processed;
    try {
      const out = run({ topic, payload, receivedAt: clock.now() }, deps);
      processed = isPromise(out) ? await out : out;
    } catch (err) {
      if (!(err instanceof DeadLetterError)) throw err; // a store outage: not acknowledged, the broker redelivers
      metrics.deadLetters.inc({ reason: err.reason });
      logFor(logger, topic).warn({ reason: err.reason, detail: err.detail, topic }, 'message dead-lettered');
      core.deadLetter(topic, payload, err.reason, err.detail);
      return { status: 'dead_lettered', reason: err.reason, ...(err.detail ? { detail: err.detail } : {}) };
    }
    countAccepted(processed, deps);
    return { status: 'accepted', processed };
  };
}

function logFor(logger: Logger, topic: string): Logger {
  const route = parseTopic(topic);
  return 'vin' in route ? logger.child({ vin: route.vin }) : logger;
}

function countAccepted({ message, committed, receivedAt }: Processed, { core, logger }: IngestDeps): void {
  if (message.kind !== 'event') return;
  const { metrics, clock } = core.deps;
  const { event } = message;
  metrics.events.inc({ type: event.type });
  let caseId: string | undefined;
  for (const f of committed?.feed ?? []) {
    if (f.type !== 'case.opened') continue;
    metrics.casesOpened.inc({ trigger: f.case.trigger });
    caseId ??= f.case.id;
  }
  if (committed?.feed.length) metrics.ingestToFeed.observe((clock.now() - receivedAt) / 1000);
  logger.child({ vin: event.vin, eventId: event.eventId, ...(caseId ? { caseId } : {}) }).info(committed?.decision.outcome ?? 'event processed');
}
