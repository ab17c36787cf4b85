import {
  DESTINATION_AGENCIES,
  DISPATCH_STATUSES,
  type Agency,
  type Case,
  type CoverageAnswer,
  type Dispatch,
  type DispatchDestination,
  type DispatchPosition,
  type DispatchStatus,
  type ServiceCar,
} from '../../../protocol/index.js';
import { Changes } from './changes.js';
import { destinationFor, type DealerList } from './destinations.js';
import { refuse, type Refusal } from './refusal.js';
import type { DecideContext, Decision, VehicleAggregate } from './state.js';

/** What an operator asks for (contract "Dispatches"): the agency and what the agency is told. */
export interface DispatchRequest {
  caseId: string;
  operatorId: string;
  agency: Agency;
  note?: string;
  reference?: string;
  destination?: DispatchDestination;
  serviceCar?: ServiceCar;
  /** Issue 13 part 4: the coverage assessment a road_service dispatch was arranged under. */
  coverage?: CoverageAnswer;
  /** D4.6: the owner's tracking token, drawn by the service (random, so not in the pure rules); kept only where `tracksServiceCar`. */
  trackToken?: string;
}

/** D4.6: a road_service dispatch whose service car reports its position gives the owner a tracking link and an app message. */
export function tracksServiceCar(request: Pick<DispatchRequest, 'agency' | 'serviceCar'>): boolean {
  return request.agency === 'road_service' && request.serviceCar?.reportsPosition === true;
}

export interface DispatchUpdate {
  caseId: string;
  dispatchId: string;
  operatorId: string;
  status: Exclude<DispatchStatus, 'requested'>;
  etaMinutes?: number;
}

/** Where a dispatch is sent (contract "Dispatches"): the car's position at the event, else its last known one (D2.1, D2.7). */
export function dispatchPosition(c: Case): DispatchPosition {
  if (c.position) return { lat: c.position.lat, lon: c.position.lon, at: c.openedAt, trusted: c.position.trusted };
  return lastKnownOf(c);
}

/** D4.2: the car's last known position (telemetry or event, kept current while the case is open), else the event's. */
export function lastKnownOf(c: Case): DispatchPosition {
  const p = c.lastKnownPosition;
  if (p) return { lat: p.lat, lon: p.lon, at: p.at, trusted: p.trusted };
  return c.position ? { lat: c.position.lat, lon: c.position.lon, at: c.openedAt, trusted: c.position.trusted } : null;
}

/** The open case an operator may dispatch for: refused when closed, or held by another operator (as answer etc., D2). */
export function workableCase(ch: Changes, caseId: string, operatorId: string): Case | Refusal {
  const c = ch.case(caseId);
  if (!c || c.status !== 'open') return refuse('case_closed', 'the case is closed', {});
  if (c.operatorId !== undefined && c.operatorId !== operatorId) return refuse('case_taken', `operator ${c.operatorId} has this case`, { operatorId: c.operatorId });
  return c;
}

/** A new dispatch in status `requested`, built on the decision's clock and ids. */
export function newDispatch(ch: Changes, c: Case, request: Omit<DispatchRequest, 'caseId'>, position: DispatchPosition, dealers: DealerList, extra: Partial<Dispatch> = {}): Dispatch {
  const destination = request.destination ?? (DESTINATION_AGENCIES.includes(request.agency) ? destinationFor(ch.vehicle, position, dealers) : undefined);
  return {
    id: ch.ctx.newId(),
    caseId: c.id,
    agency: request.agency,
    status: 'requested',
    requestedAt: ch.at,
    requestedBy: request.operatorId,
    position,
    ...(request.note !== undefined ? { note: request.note } : {}),
    ...(request.reference !== undefined ? { reference: request.reference } : {}),
    ...(destination ? { destination } : {}),
    ...(request.serviceCar ? { serviceCar: request.serviceCar } : {}),
    ...(request.coverage ? { coverage: request.coverage } : {}),
    ...(request.trackToken !== undefined && tracksServiceCar(request) ? { trackToken: request.trackToken } : {}),
    ...extra,
    history: [{ status: 'requested', at: ch.at, by: request.operatorId }],
  };
}

/** Contract "Dispatches" (D4.1, D4.4): an operator sends an agency to the car; the case carries it. */
export function decideDispatch(aggregate: VehicleAggregate, request: DispatchRequest, ctx: DecideContext, dealers: DealerList): Decision | Refusal {
  const ch = new Changes(aggregate, ctx);
  const c = workableCase(ch, request.caseId, request.operatorId);
  if ('refused' in c) return c;
  // Issue 13 part 4: what the member was told about road-service cover belongs on the road-service dispatch.
  if (request.coverage && request.agency !== 'road_service') return refuse('coverage_not_applicable', 'a coverage assessment goes on a road_service dispatch only', { agency: request.agency });
  const dispatch = newDispatch(ch, c, request, dispatchPosition(c), dealers);
  ch.putCase({ ...c, dispatches: [...(c.dispatches ?? []), dispatch] });
  return ch.finish(`case ${c.id}: ${request.operatorId} dispatched ${request.agency} (${dispatch.id})`);
}

const FINAL: readonly DispatchStatus[] = ['completed', 'cancelled'];
/** Forward order; `cancelled` is outside it (reachable from any unfinished status). */
const RANK: Record<DispatchStatus, number> = Object.fromEntries(DISPATCH_STATUSES.map((s, i) => [s, i])) as Record<DispatchStatus, number>;

/**
 * Contract "Dispatches": status moves forward along requested, en_route, on_scene, completed (steps may
 * be skipped) or to cancelled; a finished dispatch never moves (`dispatch_finished`), a backward move is
 * `dispatch_status_backwards`. The same status again only updates `etaMinutes` (nothing changes without one).
 */
export function decideDispatchUpdate(aggregate: VehicleAggregate, update: DispatchUpdate, ctx: DecideContext): Decision | Refusal {
  const ch = new Changes(aggregate, ctx);
  const c = workableCase(ch, update.caseId, update.operatorId);
  if ('refused' in c) return c;
  const dispatches = c.dispatches ?? [];
  const d = dispatches.find((x) => x.id === update.dispatchId);
  if (!d) return refuse('dispatch_not_found', 'no such dispatch on this case', { dispatchId: update.dispatchId });
  if (FINAL.includes(d.status)) return refuse('dispatch_finished', `the dispatch is ${d.status}: it cannot move again`, { dispatchId: d.id, status: d.status });
  if (update.status !== 'cancelled' && RANK[update.status] < RANK[d.status]) {
    return refuse('dispatch_status_backwards', `a dispatch moves forward only: ${d.status} cannot go back to ${update.status}`, { dispatchId: d.id, status: d.status, requested: update.status });
  }
  const sameStatus = update.status === d.status;
  if (sameStatus && (update.etaMinutes === undefined || update.etaMinutes === d.etaMinutes)) return ch.finish(`dispatch ${d.id} unchanged`);
  const eta = update.etaMinutes !== undefined ? { etaMinutes: update.etaMinutes } : {};
  const next: Dispatch = {
    ...d,
    status: update.status,
    ...eta,
    updatedAt: ch.at,
    history: [...d.history, { status: update.status, at: ch.at, by: update.operatorId, ...eta }],
  };
  ch.putCase({ ...c, dispatches: dispatches.map((x) => (x.id === d.id ? next : x)) });
  return ch.finish(`case ${c.id}: dispatch ${d.id} (${d.agency}) ${d.status} -> ${update.status}`);
}

/** Still on its way or at work: not completed or cancelled. */
export function isOpenDispatch(d: Pick<Dispatch, 'status'>): boolean {
  return !FINAL.includes(d.status);
}
