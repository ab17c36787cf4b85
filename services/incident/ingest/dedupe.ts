import type { Validated } from './context.js';
import { DeadLetterError } from './dead-letter.js';
import type { Stage } from './stage.js';

/**
 * Stage 3: a fast check that this (vin, eventId) is new. The commit checks again atomically, so two
 * instances racing on one redelivered event still open one case; this only saves the work. Only
 * events carry an eventId: everything else passes straight on (no store read, no promise).
 */
export const dedupe: Stage<Validated, Validated> = (ctx, { core }) => {
  const { message } = ctx;
  if (message.kind !== 'event') return ctx;
  const { vin, eventId } = message.event;
  return core.deps.store.hasSeenEvent(vin, eventId).then((seen) => {
    if (seen) throw new DeadLetterError('duplicate_event', eventId);
    return ctx;
  });
};
