import { topics, type AuditEntry, type Case, type OperatorAudit } from '../../protocol/index.js';

/** The case actions the trace format knows (protocol/trace.ts); others (`case.release`) are not sent on the topic. */
const TOPIC_ACTIONS = new Set(['case.answer', 'case.hangup', 'case.callback', 'case.close']);

/**
 * The extension topic `v1/audit/operator-actions`, fed by the audit (issue 11, part 5): the same
 * action, time and operator as the audit entry committed with it, so that a trace recorder on any
 * broker sees operator actions as before. Null for an entry the topic does not carry.
 */
export function operatorTopicMessage(entry: AuditEntry, c: Pick<Case, 'id' | 'vin' | 'eventId'>): { topic: string; payload: string } | null {
  if (!TOPIC_ACTIONS.has(entry.action)) return null;
  const d = entry.details as { operatorId?: unknown; resolution?: unknown; note?: unknown };
  const message: OperatorAudit = {
    v: 1,
    action: entry.action.slice('case.'.length) as OperatorAudit['action'],
    caseId: c.id,
    vin: c.vin,
    eventId: c.eventId,
    operatorId: typeof d.operatorId === 'string' ? d.operatorId : entry.actor.id,
    at: entry.at,
  };
  if (typeof d.resolution === 'string') message.resolution = d.resolution;
  if (typeof d.note === 'string') message.note = d.note;
  return { topic: topics.operatorAudit, payload: JSON.stringify(message) };
}
