import type { ParsedTopic, RejectionReason, VehicleEvent, Ack, Telemetry, VehicleStatus } from '../../../protocol/index.js';
import type { Decision } from '../domain/index.js';
import type { CommandRecord } from '../domain/state.js';
import type { FeedMessage } from '../../../protocol/index.js';

/** One inbound MQTT message on its way through the stages; each stage fills in its part. */
export interface IngestContext {
  topic: string;
  payload: Buffer;
  /** Clock time when the message arrived. */
  receivedAt: number;
  route?: ParsedTopic;
  json?: unknown;
  message?:
    | { kind: 'event'; event: VehicleEvent }
    | { kind: 'telemetry'; telemetry: Telemetry }
    | { kind: 'status'; vin: string; status: VehicleStatus }
    | { kind: 'acks'; vin: string; ack: Ack };
  decision?: Decision;
  commands?: CommandRecord[];
  feed?: FeedMessage[];
}

/** A message the service refuses: it goes to the dead-letter topic with this reason; nothing changes. */
export class Rejected extends Error {
  constructor(
    readonly reason: RejectionReason,
    readonly detail?: string,
  ) {
    super(detail ? `${reason}: ${detail}` : reason);
    this.name = 'Rejected';
  }
}
