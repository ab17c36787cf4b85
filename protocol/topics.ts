import { isEventType, type EventType } from './events.js';
import { isServiceCarId } from './service-car.js';

/** Topic names of contract v1. Build with these; never concatenate topic strings elsewhere. */
export const topics = {
  event: (vin: string, type: EventType) => `v1/vehicles/${vin}/events/${type}`,
  telemetry: (vin: string) => `v1/vehicles/${vin}/telemetry`,
  status: (vin: string) => `v1/vehicles/${vin}/status`,
  commands: (vin: string) => `v1/vehicles/${vin}/commands`,
  lockout: (vin: string) => `v1/vehicles/${vin}/lockout`,
  acks: (vin: string) => `v1/vehicles/${vin}/acks`,
  deadLetter: 'v1/dead-letter',
  /** Extension: security alarms delivered to the guard-company partner (D3.1 "ALSOK rush service"). */
  partnerAlarm: (vin: string) => `v1/partners/security-alarms/${vin}`,
  /** Extension: every successful operator action, for trace recorders on any broker (protocol/trace.ts). */
  operatorAudit: 'v1/audit/operator-actions',
  /** Extension (D4.5): emails the service owes, for the mail gateway (protocol/outbox.ts). */
  outboxEmail: 'v1/outbox/email',
  /** Extension (D4.6): messages to the owner's app (protocol/service-car.ts), QoS 1. */
  appMessages: (vin: string) => `v1/vehicles/${vin}/app-messages`,
  /** Extension (D4.6): a service car's position reports; throws on an id that is not a safe topic level. */
  serviceCarPosition: (id: string) => {
    if (!isServiceCarId(id)) throw new Error(`service car id ${JSON.stringify(id)}: expected 1-64 of A-Z a-z 0-9 _ -`);
    return `v1/service-cars/${id}/position`;
  },
} as const;

/** Extension (D4.6): what a subscriber to every service car's position reports subscribes to. */
export const serviceCarPositionFilter = 'v1/service-cars/+/position';

/** The service car a position topic names, or null for any other topic (or an unsafe id). */
export function parseServiceCarTopic(topic: string): { id: string } | null {
  const p = topic.split('/');
  return p.length === 4 && p[0] === 'v1' && p[1] === 'service-cars' && p[3] === 'position' && isServiceCarId(p[2]!) ? { id: p[2]! } : null;
}

/** What the backend subscribes to. */
export const inboundFilters = {
  events: 'v1/vehicles/+/events/+',
  telemetry: 'v1/vehicles/+/telemetry',
  status: 'v1/vehicles/+/status',
  acks: 'v1/vehicles/+/acks',
  /** Extension (D4.6): service cars' positions, through the same intake as cars' topics (services/incident/service-cars.ts). */
  serviceCarPositions: 'v1/service-cars/+/position',
} as const;

/** Topics only the backend may publish to (the embedded broker refuses them from anyone else). */
export function isBackendOnlyTopic(topic: string): boolean {
  if (topic === topics.deadLetter || topic.startsWith('v1/partners/') || topic.startsWith('v1/audit/')) return true;
  // Extension (D4.5, D4.6): the email outbox and the owner's app messages, as services/broker/acl.ts SERVICE_PUBLISH.
  if (topic.startsWith('v1/outbox/')) return true;
  const parts = topic.split('/');
  return parts.length === 4 && parts[0] === 'v1' && parts[1] === 'vehicles' && (parts[3] === 'commands' || parts[3] === 'lockout' || parts[3] === 'app-messages');
}

export type ParsedTopic =
  | { kind: 'event'; vin: string; type: EventType }
  | { kind: 'event'; vin: string; type: string; unknownType: true }
  | { kind: 'telemetry' | 'status' | 'acks' | 'commands' | 'lockout'; vin: string }
  | { kind: 'other' };

export function parseTopic(topic: string): ParsedTopic {
  const p = topic.split('/');
  if (p[0] !== 'v1' || p[1] !== 'vehicles' || p[2] === undefined) return { kind: 'other' };
  const vin = p[2];
  if (p.length === 5 && p[3] === 'events') {
    const type = p[4]!;
    return isEventType(type) ? { kind: 'event', vin, type } : { kind: 'event', vin, type, unknownType: true };
  }
  if (p.length === 4) {
    const k = p[3];
    if (k === 'telemetry' || k === 'status' || k === 'acks' || k === 'commands' || k === 'lockout') return { kind: k, vin };
  }
  return { kind: 'other' };
}

/** Shared subscription for load sharing across instances (contract; not supported by aedes). */
export function sharedFilter(group: string | undefined, filter: string): string {
  return group ? `$share/${group}/${filter}` : filter;
}

/** Does `topic` match `filter` (`+` one level, `#` the rest), as a broker does it [MQTT-4.7.1]? */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

export function matchesAny(filters: readonly string[], topic: string): boolean {
  return filters.some((f) => topicMatches(f, topic));
}
