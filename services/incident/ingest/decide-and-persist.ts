import { isoTime } from '../../../protocol/index.js';
import { decideEvent, decideStatus, isRejection } from '../domain/index.js';
import { Rejected } from './context.js';
import type { Stage } from './stage.js';

/**
 * Stages 4 and 5: decide on the car's current state and commit atomically with the eventId. They run
 * as one step because a version conflict (another instance changed the car) means deciding again.
 * Telemetry is only counted (no state change per 1 Hz sample); status and acks are recorded.
 */
export const decideAndPersist: Stage = async (ctx, deps) => {
  const m = ctx.message!;
  const { core } = deps;
  switch (m.kind) {
    case 'event': {
      const result = await core.run(m.event.vin, (aggregate, dctx) => decideEvent(aggregate, m.event, dctx), { eventId: m.event.eventId });
      if (isRejection(result)) return; // events are never refused by the rules, only by validation
      if (result.status === 'duplicate') throw new Rejected('duplicate_event', m.event.eventId);
      if (result.status === 'ok') {
        ctx.decision = result.decision;
        ctx.feed = result.feed;
        ctx.commands = result.commands;
      }
      return;
    }
    case 'status': {
      const online = m.status.online;
      await core.run(m.vin, (aggregate, dctx) => decideStatus(aggregate, online, dctx));
      return;
    }
    case 'acks': {
      const recorded = await core.deps.store.recordAck(m.vin, m.ack, isoTime(ctx.receivedAt));
      if (recorded === 'unknown') throw new Rejected('unknown_command', m.ack.commandId);
      return;
    }
    case 'telemetry':
      return;
  }
};
