import { isoTime } from '../../../protocol/index.js';
import { decideEvent, decideStatus, isRefusal } from '../domain/index.js';
import type { Committed, Processed, Validated } from './context.js';
import { DeadLetterError } from './dead-letter.js';
import type { Stage } from './stage.js';

/**
 * Stages 4 and 5: decide on the car's current state and commit atomically with the eventId. They run
 * as one step because a version conflict (another instance changed the car) means deciding again.
 * Telemetry is only counted (no state change per 1 Hz sample); status and acks are recorded.
 */
export const decideAndPersist: Stage<Validated, Processed> = (ctx, { core }) => {
  const { message } = ctx;
  switch (message.kind) {
    case 'event': {
      const { event } = message;
      return core.run(event.vin, (aggregate, dctx) => decideEvent(aggregate, event, dctx), { eventId: event.eventId }).then((result): Processed => {
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
      return processed(ctx, null);
  }
};

/** Spelled out, not spread: this runs for every telemetry sample, and a spread copy costs more. */
function processed({ topic, payload, receivedAt, message }: Validated, committed: Committed | null): Processed {
  return { topic, payload, receivedAt, message, committed };
}
