import type { AuditActor, Case, Dispatch, NoResponseResult } from '../../protocol/index.js';
import { dealerAudit, dispatchCreatedAudit, dispatchUpdatedAudit, noResponseAudit } from '../audit/entries.js';
import { decideDealer, decideDispatch, decideDispatchUpdate, decideNoResponse, tracksServiceCar, type Decision, type DispatchRequest, type DispatchUpdate } from './domain/index.js';
import { DomainError } from './domain-errors.js';
import type { IncidentService } from './service.js';

/** The dispatches a decision added to the case (those not on the case before). */
function addedDispatches(decision: Decision | null, before: Case): Dispatch[] {
  const had = new Set((before.dispatches ?? []).map((d) => d.id));
  const after = decision?.cases.find((c) => c.id === before.id)?.dispatches ?? [];
  return after.filter((d) => !had.has(d.id));
}

/**
 * Issue 12 parts 4 and 7 (contract "Dispatches", "No response"; D4.1, D4.2, D4.4): the operator's
 * dispatches, through the service's one front door (`caseChange`): decided on the case's car, committed
 * with `case.updated` on the feed and their audit entries (`dispatch.create`, `dispatch.update`,
 * `case.no_response`) in the same commit.
 */
export class DispatchActions {
  constructor(private readonly svc: IncidentService) {}

  async create(plain: DispatchRequest, actor: AuditActor): Promise<Dispatch> {
    const { dealers, tracking } = this.svc;
    // D4.6: a road_service dispatch whose service car reports its position gets the owner a tracking
    // token (indexed before the commit, track.ts) and one app message, in the commit's outbox.
    const request: DispatchRequest = tracksServiceCar(plain) ? { ...plain, trackToken: tracking.newToken() } : plain;
    const token = request.trackToken;
    const { case: after, decision } = await this.svc.caseChange(
      request.caseId,
      (aggregate, ctx) => decideDispatch(aggregate, request, ctx, dealers),
      (decision, found) => addedDispatches(decision, found).map((d) => dispatchCreatedAudit(d, found, actor)),
      {
        ...(token !== undefined ? { before: (found: Case) => tracking.index(token, found.id) } : {}),
        also: (decision, found) => addedDispatches(decision, found).flatMap((d) => tracking.appMessage(found.vin, d) ?? []),
      },
    );
    const created = decision?.cases.find((c) => c.id === request.caseId)?.dispatches?.at(-1);
    const stored = after.dispatches?.find((d) => d.id === created?.id);
    if (!stored) throw new Error(`dispatch on case ${request.caseId} was not kept`);
    this.svc.metrics.dispatches.inc({ agency: stored.agency });
    return stored;
  }

  async update(update: DispatchUpdate, actor: AuditActor): Promise<Dispatch> {
    const { case: after } = await this.svc.caseChange(
      update.caseId,
      (aggregate, ctx) => decideDispatchUpdate(aggregate, update, ctx),
      (decision, found) => {
        const before = found.dispatches?.find((d) => d.id === update.dispatchId);
        const next = decision.cases.find((c) => c.id === found.id)?.dispatches?.find((d) => d.id === update.dispatchId);
        return before && next ? [dispatchUpdatedAudit(before, next, update.operatorId, found, actor)] : [];
      },
    );
    const d = after.dispatches?.find((x) => x.id === update.dispatchId);
    if (!d) throw new DomainError('dispatch_not_found', 'no such dispatch on this case', { dispatchId: update.dispatchId });
    return d;
  }

  /** D4.2: fire/ambulance and police (and a doctor helicopter, D4.3) at once; a repeat creates nothing. */
  async noResponse(request: { caseId: string; operatorId: string }, actor: AuditActor): Promise<NoResponseResult> {
    const { dealers } = this.svc;
    let created: Dispatch[] = [];
    const { case: after } = await this.svc.caseChange(
      request.caseId,
      (aggregate, ctx) => decideNoResponse(aggregate, request, ctx, dealers),
      (decision, found) => {
        created = addedDispatches(decision, found);
        if (created.length === 0) return [];
        return [noResponseAudit(created, request.operatorId, found, actor), ...created.map((d) => dispatchCreatedAudit(d, found, actor))];
      },
    );
    const ids = new Set(created.map((d) => d.id));
    const kept = (after.dispatches ?? []).filter((d) => ids.has(d.id));
    for (const d of kept) this.svc.metrics.dispatches.inc({ agency: d.agency });
    return { created: kept, dispatches: after.dispatches ?? [] };
  }

  /** D4.4 (extension `PUT /v1/vehicles/{vin}/dealer`): 404 `unknown_dealer` for an id not in the list. */
  async setDealer(vin: string, dealerId: string, actor: AuditActor) {
    const dealer = this.svc.dealers.find((d) => d.id === dealerId);
    if (!dealer) throw new DomainError('unknown_dealer', `no dealer ${dealerId} in the dealer list`, { dealerId });
    await this.svc.vehicleChange(vin, (aggregate, ctx) => decideDealer(aggregate, dealerId, ctx), () => [dealerAudit(vin, dealerId, actor)]);
    return { vin, dealer };
  }
}
