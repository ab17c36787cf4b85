import type { Case, TraceOperatorLine } from '../../protocol/index.js';

/**
 * The HTTP request that performs an operator line on a case (replay to a URL). Issue 12 part 4: a
 * dispatch update names its dispatch by its place in the case (`dispatch`), which the live case maps to
 * the id; null when the case has no such dispatch.
 */
export function operatorRequest(line: TraceOperatorLine, c: Case): { method: 'POST' | 'PATCH'; path: string; body: Record<string, unknown> } | null {
  const base = `/v1/cases/${c.id}`;
  switch (line.action) {
    case 'close':
      return { method: 'POST', path: `${base}/close`, body: { resolution: line.resolution, ...(line.note ? { note: line.note } : {}) } };
    case 'dispatch':
      return { method: 'POST', path: `${base}/dispatches`, body: dispatchBody(line) };
    case 'dispatch_update': {
      const d = c.dispatches?.[line.dispatch ?? -1];
      if (!d || !line.status) return null;
      return { method: 'PATCH', path: `${base}/dispatches/${d.id}`, body: { status: line.status, ...(line.etaMinutes !== undefined ? { etaMinutes: line.etaMinutes } : {}) } };
    }
    case 'no_response':
      return { method: 'POST', path: `${base}/no-response`, body: {} };
    default:
      return { method: 'POST', path: `${base}/${line.action}`, body: {} };
  }
}

/** The create body of a `dispatch` line: what the agency was told, as recorded. */
export function dispatchBody(line: TraceOperatorLine): Record<string, unknown> {
  return {
    agency: line.agency,
    ...(line.note !== undefined ? { note: line.note } : {}),
    ...(line.reference !== undefined ? { reference: line.reference } : {}),
    ...(line.destination ? { destination: line.destination } : {}),
    ...(line.serviceCar ? { serviceCar: line.serviceCar } : {}),
  };
}
