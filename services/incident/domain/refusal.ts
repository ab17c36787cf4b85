import type { LockoutFeature } from '../../../protocol/index.js';

/**
 * What each refusal of the rules carries, by code. A refusal is a domain decision: the rules say no to
 * an operator action (D2) or a vehicle request (D3) and nothing changes. It is not a dead letter (a
 * message refused at ingest, ingest/dead-letter.ts); the service turns it into a DomainError, and the
 * HTTP layer maps that to a status (errors.ts).
 */
export interface RefusalDetails {
  case_closed: Record<string, never>;
  /** The operator who has the case (D2). */
  case_taken: { operatorId: string };
  call_not_active: Record<string, never>;
  call_active: Record<string, never>;
  /** D3: the feature and the lockout's end (null while a call holds it), and seconds worth waiting. */
  locked_out: { feature: LockoutFeature; until: string | null; retryAfterSeconds: number };
  // Issue 12 part 4 (v1 "Dispatches", "No response"; domain/dispatches.ts, domain/no-response.ts).
  /** No dispatch by that id on the case. */
  dispatch_not_found: { dispatchId: string };
  /** A completed or cancelled dispatch cannot move again. */
  dispatch_finished: { dispatchId: string; status: string };
  /** Status only moves forward (requested, en_route, on_scene, completed). */
  dispatch_status_backwards: { dispatchId: string; status: string; requested: string };
  /** D4.2: no-response dispatching is for airbag, impact and SOS cases, not trouble calls. */
  not_an_emergency: { trigger: string };
  /** Issue 13 part 4: a coverage assessment belongs on a road_service dispatch only. */
  coverage_not_applicable: { agency: string };
}
export type RefusalCode = keyof RefusalDetails;

export interface RefusalOf<C extends RefusalCode> {
  refused: C;
  message: string;
  details: RefusalDetails[C];
}

/** A rule's refusal, typed by its code. */
export type Refusal = { [C in RefusalCode]: RefusalOf<C> }[RefusalCode];

export function refuse<C extends RefusalCode>(refused: C, message: string, details: RefusalDetails[C]): RefusalOf<C> {
  return { refused, message, details };
}

export function isRefusal(value: unknown): value is Refusal {
  return typeof value === 'object' && value !== null && 'refused' in value;
}
