import type { Case, TraceOperatorLine } from '../../protocol/index.js';

export interface OperatorRequest {
  method: 'POST' | 'PATCH' | 'PUT';
  path: string;
  body: Record<string, unknown>;
  /** Issue 12 part 5: requests to make first (a relay registers the car's recorded contacts). */
  before?: Omit<OperatorRequest, 'before'>[];
}

/**
 * The HTTP request that performs an operator line on a case (replay to a URL). Issue 12 part 4: a
 * dispatch update names its dispatch by its place in the case (`dispatch`), which the live case maps to
 * the id; null when the case has no such dispatch. Issue 12 part 5 (D4.5): a relay registers the recorded contacts first (`PUT
 * /v1/vehicles/{vin}/contacts`; an address confirmed in the recording is provisional there: its token
 * goes to the mailbox), and a phone result names its relay by its place in the case (`relay`).
 */
export function operatorRequest(line: TraceOperatorLine, c: Case): OperatorRequest | null {
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
    case 'relay':
      return { method: 'POST', path: `${base}/relay`, body: { message: line.message }, ...(line.contacts ? { before: [{ method: 'PUT', path: `/v1/vehicles/${c.vin}/contacts`, body: { contacts: recordedContacts(line) } }] } : {}) };
    case 'relay_phone_result': {
      const r = c.relays?.[line.relay ?? -1];
      if (!r || line.answered === undefined) return null;
      return { method: 'POST', path: `${base}/relay/${r.id}/phone-result`, body: { answered: line.answered } };
    }
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

/** The contacts a `relay` line recorded, as the owner registers them (no status: the service decides it). */
export function recordedContacts(line: TraceOperatorLine): { name: string; phone?: string; email?: string }[] {
  return (line.contacts ?? []).map((x) => ({ name: x.name, ...(x.phone !== undefined ? { phone: x.phone } : {}), ...(x.email !== undefined ? { email: x.email } : {}) }));
}
