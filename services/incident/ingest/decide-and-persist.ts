import { isoTime, type Telemetry } from '../../../protocol/index.js';
import { decideEvent, decidePosition, decideStatus, isRefusal } from '../domain/index.js';
import type { Checked, Committed, Processed, Validated } from './context.js';
import { DeadLetterError } from './dead-letter.js';
import type { IngestDeps, Stage } from './stage.js';

/**
 * Stages 4 and 5: decide on the car's current state and commit atomically with the eventId. They run
 * as one step because a version conflict (another instance changed the car) means deciding again. An
 * event is decided on the car as dedupe read it (a conflict reads it again) and with what telemetry
 * told of the car's position before it (D2.1, D2.7: this instance's fixes and what dedupe read of the
 * others', `PositionTracker.known`). Telemetry updates the car's last known position in memory, no
 * store write per sample (ingest/positions.ts); only when it moves a car with an open case far and
 * long enough does it commit a position update of the case. Status and acks are recorded.
 */
export const decideAndPersist: Stage<Checked, Processed> = (ctx, deps) => {
  const { core, positions } = deps;
  const { message } = ctx;
  switch (message.kind) {
    case 'event': {
      const { event } = message;
      const { read } = ctx;
      const known = positions.known(event.vin, read?.positions ?? null);
      return core
        .run(event.vin, (aggregate, dctx) => decideEvent(aggregate, event, dctx, known), { eventId: event.eventId, ...(read ? { loaded: read.aggregate } : {}) })
        .then((result): Processed => {
          // Events are never refused by the rules, only by validation; noop: nothing to commit.
          if (isRefusal(result) || result.status === 'noop') return processed(ctx, null);
          if (result.status === 'duplicate') throw new DeadLetterError('duplicate_event', event.eventId);
          return processed(ctx, { decision: result.decision, feed: result.feed, commands: result.commands });
        });
    }
    case 'status':
      return core.run(message.vin, (aggregate, dctx) => decideStatus(aggregate, message.status.online, dctx)).then(() => processed(ctx, null));
    case 'acks':
      return core.deps.store.recordAck(message.vin, message.ack, isoTime(ctx.receivedAt)).then((recorded) => {
        if (recorded === 'unknown') throw new DeadLetterError('unknown_command', message.ack.commandId);
        return processed(ctx, null);
      });
    case 'telemetry':
      if (!positions.observe(message.telemetry)) return processed(ctx, null);
      return updateCasePositions(message.telemetry, deps).then(() => processed(ctx, null));
  }
};

/**
 * D2.1: the car of an open case moved (POSITION_MIN_METRES, at most once per POSITION_CASE_UPDATE_SECONDS):
 * its cases show where it is. Telemetry is QoS 0 and never refused for this: a failed update (a store
 * outage, a busy car) is logged, and the next sample tries again.
 */
function updateCasePositions(t: Telemetry, { core, positions, logger }: IngestDeps): Promise<void> {
  const known = positions.local(t.vin);
  if (!known) return Promise.resolve();
  return core.run(t.vin, (aggregate, dctx) => decidePosition(aggregate, known, dctx)).then(
    (result) => {
      if (!isRefusal(result) && result.status === 'ok') for (const c of result.decision.cases) positions.openCases.note(c);
    },
    (err: unknown) => logger.warn({ vin: t.vin, err: (err as Error).message }, 'case position not updated; the next sample tries again'),
  );
}

/** Spelled out, not spread: this runs for every telemetry sample, and a spread copy costs more. */
function processed({ topic, payload, receivedAt, message }: Validated, committed: Committed | null): Processed {
  return { topic, payload, receivedAt, message, committed };
}
