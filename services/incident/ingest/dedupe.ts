import type { Checked, Validated } from './context.js';
import { DeadLetterError } from './dead-letter.js';
import type { Stage } from './stage.js';

/**
 * Stage 3: a fast check that this (vin, eventId) is new, and, read in the same step, what the event's
 * decision needs: the car and its stored positions (`Store.readEvent`: one round trip on Redis, where
 * the check, the positions and the car in turn were three: issue 12's p50 in the Mosquitto mode). The commit checks again
 * atomically, so two instances racing on one redelivered event still open one case; this only saves
 * the work. Only events carry an eventId: everything else passes straight on (no store read, no promise).
 */
export const dedupe: Stage<Validated, Checked> = (ctx, { core }) => {
  const { message } = ctx;
  if (message.kind !== 'event') return ctx;
  const { vin, eventId } = message.event;
  return core.deps.store.readEvent(vin, eventId).then((read): Checked => {
    if (read.seen) throw new DeadLetterError('duplicate_event', eventId);
    return { ...ctx, read };
  });
};
