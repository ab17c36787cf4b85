import { Rejected } from './context.js';
import type { Stage } from './stage.js';

/**
 * Stage 3: a fast check that this (vin, eventId) is new. The commit checks again atomically, so two
 * instances racing on one redelivered event still open one case; this only saves the work.
 */
export const dedupe: Stage = async (ctx, deps) => {
  const m = ctx.message!;
  if (m.kind !== 'event') return;
  if (await deps.core.deps.store.hasSeenEvent(m.event.vin, m.event.eventId)) throw new Rejected('duplicate_event', m.event.eventId);
};
