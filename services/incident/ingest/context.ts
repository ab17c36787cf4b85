import type { Ack, EventType, FeedMessage, Telemetry, VehicleEvent, VehicleStatus } from '../../../protocol/index.js';
import type { CommandRecord, Decision } from '../domain/index.js';
import type { EventRead } from '../store/port.js';

/**
 * What one inbound MQTT message has become after each stage (STYLE 5). Each stage takes the context
 * it needs and returns the next, so a later stage cannot run on what an earlier one did not establish:
 * decode: Raw -> Decoded, validate: Decoded -> Validated, dedupe: Validated -> Checked (a new event
 * with what its decision reads, or not an event), decide+persist: Checked -> Processed.
 */

/** The message as it arrived. */
export interface Raw {
  readonly topic: string;
  readonly payload: Buffer;
  /** Clock time when the message arrived. */
  readonly receivedAt: number;
}

/** The topics cars publish on (events with a contract event type). */
export type VehicleRoute = { readonly kind: 'event'; readonly vin: string; readonly type: EventType } | { readonly kind: 'telemetry' | 'status' | 'acks'; readonly vin: string };

/** A known topic, and a payload that is JSON of an acceptable size, depth and well-formed Unicode. */
export interface Decoded extends Raw {
  readonly route: VehicleRoute;
  readonly json: unknown;
}

/** A message that matches its contract schema and agrees with its topic. */
export type InboundMessage =
  | { readonly kind: 'event'; readonly event: VehicleEvent }
  | { readonly kind: 'telemetry'; readonly telemetry: Telemetry }
  | { readonly kind: 'status'; readonly vin: string; readonly status: VehicleStatus }
  | { readonly kind: 'acks'; readonly vin: string; readonly ack: Ack };

export interface Validated extends Raw {
  readonly message: InboundMessage;
}

/** A message past dedupe: an event carries what its decision reads (read in the same round trip as the check). */
export interface Checked extends Validated {
  /** Set for every event (the store's `readEvent`, never `seen`); absent for any other message. */
  readonly read?: Extract<EventRead, { seen: false }>;
}

/** What an event's commit did: the decision, the feed messages with their seqs, the commands sent. */
export interface Committed {
  readonly decision: Decision;
  readonly feed: FeedMessage[];
  readonly commands: CommandRecord[];
}

/** Done: committed (an event that changed something), recorded (status, acks) or only counted (telemetry). */
export interface Processed extends Validated {
  readonly committed: Committed | null;
}
