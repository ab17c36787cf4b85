import type { Case } from '../../protocol/index.js';
import type { EventRecord, Ledger } from './load/ledger.js';

/** The counts of one run (the table). */
export interface DeliveryCounts {
  /** Events handed to the cars. */
  sent: number;
  /** Events whose publish callback reported the PUBACK. */
  acknowledged: number;
  /** Acknowledged events with a case (by `eventId`, or listed in a case's `triggers`). */
  committed: number;
  /** Acknowledged events without a case when the counting ended: the promise broken. */
  lost: number;
  /** Sent events with more than one case. */
  duplicated: number;
  /** Sent events never acknowledged by the deadline (still in the car's store, or failed). */
  unacknowledged: number;
  /** Unacknowledged events that have a case anyway (committed, PUBACK lost with the connection). */
  committedUnacknowledged: number;
  /** Events whose PUBLISH went out more than once (re-sent by MQTT.js after a reconnect). */
  resent: number;
  /** Publish callbacks that fired with an error, or more than once: accounting anomalies. */
  callbackErrors: number;
  doubleCallbacks: number;
  /** Cases whose eventId this run never sent, or whose VIN is not the event's. */
  foreignCases: number;
  vinMismatches: number;
  cases: number;
}

export interface LostEvent {
  eventId: string;
  vin: string;
  index: number;
  sentAtMs: number | null;
  ackedAtMs: number | null;
  transmissions: number;
  /** Acknowledged before the fault started, during it, or after it ended. */
  phase: 'before-fault' | 'during-fault' | 'after-fault' | 'no-fault';
}

/** Every case, open and closed, from one instance's HTTP API. */
export async function readCases(httpUrl: string): Promise<Case[]> {
  const out: Case[] = [];
  for (const status of ['open', 'closed'] as const) {
    const res = await fetch(`${httpUrl}/v1/cases?status=${status}`, { signal: AbortSignal.timeout(15_000) });
    if (!res.ok) throw new Error(`GET /v1/cases?status=${status}: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`);
    out.push(...((await res.json()) as Case[]));
  }
  return out;
}

/** Event ids a case stands for: its own, and those that joined it ("one call at a time": `triggers`). */
function caseEventIds(c: Case): string[] {
  const ids = new Set([c.eventId]);
  const triggers = (c as { triggers?: unknown }).triggers;
  if (Array.isArray(triggers)) {
    for (const t of triggers) {
      const id = (t as { eventId?: unknown } | null)?.eventId;
      if (typeof id === 'string') ids.add(id);
    }
  }
  return [...ids];
}

export interface Tally {
  counts: DeliveryCounts;
  lost: EventRecord[];
  duplicated: Array<{ eventId: string; caseIds: string[] }>;
}

/** Counts over the ledger's records that `include` selects (default: every one). */
export function tally(ledger: Ledger, cases: Case[], include: (r: EventRecord) => boolean = () => true): Tally {
  const casesByEvent = new Map<string, string[]>();
  let foreignCases = 0;
  let vinMismatches = 0;
  for (const c of cases) {
    const ids = caseEventIds(c);
    if (!ids.some((id) => ledger.get(id))) foreignCases++;
    for (const id of ids) {
      const rec = ledger.get(id);
      if (!rec) continue;
      if (rec.vin !== c.vin) {
        vinMismatches++;
        continue;
      }
      casesByEvent.set(id, [...(casesByEvent.get(id) ?? []), c.id]);
    }
  }
  const recs = ledger.records.filter((r) => r.sentAtMs !== null && include(r));
  const acked = recs.filter((r) => r.ackedAtMs !== null);
  const lost = acked.filter((r) => !casesByEvent.has(r.eventId));
  const unacked = recs.filter((r) => r.ackedAtMs === null);
  const duplicated = [...casesByEvent].filter(([, ids]) => ids.length > 1).map(([eventId, caseIds]) => ({ eventId, caseIds }));
  return {
    counts: {
      sent: recs.length,
      acknowledged: acked.length,
      committed: acked.length - lost.length,
      lost: lost.length,
      duplicated: duplicated.length,
      unacknowledged: unacked.length,
      committedUnacknowledged: unacked.filter((r) => casesByEvent.has(r.eventId)).length,
      resent: recs.filter((r) => r.transmissions > 1).length,
      callbackErrors: recs.filter((r) => r.error !== null).length,
      doubleCallbacks: recs.filter((r) => r.callbacks > 1).length,
      foreignCases,
      vinMismatches,
      cases: cases.length,
    },
    lost,
    duplicated,
  };
}
