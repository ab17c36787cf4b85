import type { Logger } from 'pino';
import { decideAndPersist } from './decide-and-persist.js';
import { decode } from './decode.js';
import { dedupe } from './dedupe.js';
import { Rejected, type IngestContext } from './context.js';
import type { IngestDeps, Stage } from './stage.js';
import { validate } from './validate.js';

/**
 * Ingest, in order (STYLE 5): decode -> validate -> dedupe -> decide + persist (one step: a conflict
 * means deciding again). Publishing to the car happens inside the commit step, after the commit, so
 * nothing is sent that was not kept. The MQTT acknowledgement is sent only after `handle` resolves.
 */
export const STAGES: ReadonlyArray<readonly [string, Stage]> = [
  ['decode', decode],
  ['validate', validate],
  ['dedupe', dedupe],
  ['decide+persist', decideAndPersist],
];

export type IngestOutcome = { status: 'accepted'; ctx: IngestContext } | { status: 'rejected'; reason: Rejected['reason']; detail?: string };

export function createIngest(deps: IngestDeps) {
  const { core, logger } = deps;
  const { metrics } = core.deps;
  return async function handle(topic: string, payload: Buffer): Promise<IngestOutcome> {
    const ctx: IngestContext = { topic, payload, receivedAt: core.deps.clock.now() };
    try {
      for (const [, stage] of STAGES) await stage(ctx, deps);
    } catch (err) {
      if (!(err instanceof Rejected)) throw err; // a store outage: not acknowledged, the broker redelivers
      metrics.rejections.inc({ reason: err.reason });
      logFor(logger, ctx).warn({ reason: err.reason, detail: err.detail, topic }, 'message rejected');
      core.deadLetter(topic, payload, err.reason, err.detail);
      return { status: 'rejected', reason: err.reason, ...(err.detail ? { detail: err.detail } : {}) };
    }
    countAccepted(ctx, deps);
    return { status: 'accepted', ctx };
  };
}

function logFor(logger: Logger, ctx: IngestContext): Logger {
  const m = ctx.message;
  if (m?.kind === 'event') return logger.child({ vin: m.event.vin, eventId: m.event.eventId });
  return ctx.route && 'vin' in ctx.route ? logger.child({ vin: ctx.route.vin }) : logger;
}

function countAccepted(ctx: IngestContext, { core, logger }: IngestDeps): void {
  const m = ctx.message!;
  if (m.kind !== 'event') return;
  const { metrics, clock } = core.deps;
  metrics.events.inc({ type: m.event.type });
  const opened = ctx.feed?.filter((f) => f.type === 'case.opened') ?? [];
  for (const f of opened) if (f.type === 'case.opened') metrics.casesOpened.inc({ trigger: f.case.trigger });
  if (ctx.feed?.length) metrics.ingestToFeed.observe((clock.now() - ctx.receivedAt) / 1000);
  const caseId = opened[0]?.type === 'case.opened' ? opened[0].case.id : undefined;
  logger.child({ vin: m.event.vin, eventId: m.event.eventId, ...(caseId ? { caseId } : {}) }).info(ctx.decision?.outcome ?? 'event processed');
}
