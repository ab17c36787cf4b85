import { topics, type AuditEntry, type Case, type OperatorAudit } from '../../protocol/index.js';

/** The case actions the trace format knows (protocol/trace.ts), by audit action; others (`case.release`) are not sent on the topic. */
const TOPIC_ACTIONS: Record<string, OperatorAudit['action']> = {
  'case.answer': 'answer',
  'case.hangup': 'hangup',
  'case.callback': 'callback',
  'case.close': 'close',
  // Issue 12 part 4: dispatches and no response are replayable too.
  'dispatch.create': 'dispatch',
  'dispatch.update': 'dispatch_update',
  'case.no_response': 'no_response',
  // Issue 12 part 5 (D4.5): relays too.
  'relay.create': 'relay',
  'relay.phone_result': 'relay_phone_result',
};

/**
 * The extension topic `v1/audit/operator-actions`, fed by the audit (issue 11, part 5): the same
 * action, time and operator as the audit entry committed with it, so that a trace recorder on any
 * broker sees operator actions as before. Null for an entry the topic does not carry.
 */
export function operatorTopicMessage(entry: AuditEntry, c: Pick<Case, 'id' | 'vin' | 'eventId' | 'dispatches' | 'relays'>): { topic: string; payload: string } | null {
  const action = TOPIC_ACTIONS[entry.action];
  if (!action) return null;
  const d = entry.details as Record<string, unknown>;
  // The dispatches of a no-response are its own: its line replays them, so they are not sent again.
  if (action === 'dispatch' && d.noResponse === true) return null;
  const message: OperatorAudit = {
    v: 1,
    action,
    caseId: c.id,
    vin: c.vin,
    eventId: c.eventId,
    operatorId: typeof d.operatorId === 'string' ? d.operatorId : entry.actor.id,
    at: entry.at,
  };
  if (typeof d.resolution === 'string') message.resolution = d.resolution;
  if (typeof d.note === 'string') message.note = d.note;
  if (action === 'dispatch') Object.assign(message, dispatchFields(d));
  if (action === 'dispatch_update') {
    // Named by its place in the case (ids differ between a recording and its replay); `c` is the case before the change.
    const index = (c.dispatches ?? []).findIndex((x) => x.id === d.dispatchId);
    if (index < 0) return null;
    message.dispatch = index;
    message.status = d.to as OperatorAudit['status'];
    if (typeof d.etaMinutes === 'number') message.etaMinutes = d.etaMinutes;
  }
  if (action === 'relay') {
    if (typeof d.message === 'string') message.message = d.message;
    if (Array.isArray(d.contacts)) message.contacts = d.contacts as OperatorAudit['contacts'];
  }
  if (action === 'relay_phone_result') {
    // By its place in the case, as a dispatch update; `c` is the case before the change.
    const index = (c.relays ?? []).findIndex((x) => x.id === d.relayId);
    if (index < 0) return null;
    message.relay = index;
    message.answered = d.answered === true;
  }
  return { topic: topics.operatorAudit, payload: JSON.stringify(message) };
}

/** What a `dispatch` line carries of a `dispatch.create` entry: the agency and what it was told. */
function dispatchFields(d: Record<string, unknown>): Partial<OperatorAudit> {
  const out: Partial<OperatorAudit> = { agency: d.agency as OperatorAudit['agency'] };
  if (typeof d.reference === 'string') out.reference = d.reference;
  // The destination as resolved (a registered dealer is not in the trace): the replay sends the car to the same place.
  if (d.destination !== undefined) out.destination = d.destination as OperatorAudit['destination'];
  if (d.serviceCar !== undefined) out.serviceCar = d.serviceCar as OperatorAudit['serviceCar'];
  return out;
}
