import { Type, type Static } from '@sinclair/typebox';
import { Id, IsoTime } from './common.js';
import { Vin } from './vin.js';

/**
 * Contract v1 extension "Identity and access", audit: what happened, who did it, in the same commit as
 * the change it records; never changed afterwards. Readable with `GET /v1/audit` (supervisor and admin
 * with `AUTH=on`, anyone with `AUTH=off`).
 */
export const AUDIT_ACTOR_KINDS = ['operator', 'service', 'vehicle', 'system'] as const;
export const AuditActorKind = Type.Union(AUDIT_ACTOR_KINDS.map((k) => Type.Literal(k)));
export type AuditActorKind = Static<typeof AuditActorKind>;

/**
 * Who acted. `operator`: a logged-in account (id = username), or with `AUTH=off` the `X-Operator-Id`;
 * `service`: the `API_TOKEN` (id `api-token`), or with `AUTH=off` a caller that named nobody (id
 * `anonymous`); `vehicle`: a car (id = VIN); `system`: the service itself (id `startup`, ...).
 */
export const AuditActor = Type.Object({ kind: AuditActorKind, id: Type.String({ minLength: 1, maxLength: 128 }) });
export type AuditActor = Static<typeof AuditActor>;

/** The actions the contract names; "more may be added", so an entry's `action` is any dotted name. */
export const AUDIT_ACTIONS = [
  'auth.login',
  'auth.login_failed',
  'auth.logout',
  'case.answer',
  'case.hangup',
  'case.callback',
  'case.close',
  'case.release',
  'case.no_response',
  'dispatch.create',
  'dispatch.update',
  'relay.create',
  'relay.phone_result',
  'contacts.update',
  'vehicle.credentials',
  'vehicle.remote_operation',
  'vehicle.wifi',
  'operator.create',
  'operator.delete',
  // Issue 12 parts 4 and 7 (added; "more may be added").
  'case.escalated',
  'vehicle.dealer',
  // Issue 12 part 5 (D4.5, added): a contact address confirmed with its token.
  'contacts.confirm',
  // Issue 14 part 2 (added).
  'case.note',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];
export const AUDIT_ACTION_PATTERN = '^[a-z][a-z_]*(\\.[a-z][a-z_]*)+$';

export const AuditEntry = Type.Object(
  {
    id: Id,
    at: IsoTime,
    actor: AuditActor,
    action: Type.String({ pattern: AUDIT_ACTION_PATTERN, examples: ['case.answer'] }),
    caseId: Type.Optional(Id),
    vin: Type.Optional(Vin),
    /** What the action needs to be understood: an operation and its outcome, a refusal, an address. */
    details: Type.Record(Type.String(), Type.Unknown()),
  },
  { $id: 'AuditEntry' },
);
export type AuditEntry = Static<typeof AuditEntry>;

export const AUDIT_LIMIT_DEFAULT = 100;
export const AUDIT_LIMIT_MAX = 500;

/**
 * `GET /v1/audit?caseId=&actor=&since=&limit=`: newest first. `actor` matches `actor.id` (a username,
 * `api-token`, a VIN); `since` keeps entries at or after that time. Extension `before`: the id of the
 * last entry of the previous page; the next page holds the entries recorded before it.
 */
export const AuditQuery = Type.Object(
  {
    caseId: Type.Optional(Id),
    actor: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    since: Type.Optional(IsoTime),
    /** 1-500, default 100. A string here: query values arrive as text and the API never coerces types. */
    limit: Type.Optional(Type.String({ pattern: '^([1-9][0-9]?|[1-4][0-9]{2}|500)$', description: `1-${AUDIT_LIMIT_MAX}, default ${AUDIT_LIMIT_DEFAULT}` })),
    before: Type.Optional(Id),
  },
  { additionalProperties: false },
);
export type AuditQuery = Static<typeof AuditQuery>;

/** `GET /v1/audit` -> 200. Extension `next`: present when the page is full; pass it as `before` for the next. */
export const AuditPage = Type.Object({ entries: Type.Array(AuditEntry), next: Type.Optional(Id) });
export type AuditPage = Static<typeof AuditPage>;
