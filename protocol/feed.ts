import { Type, type Static } from '@sinclair/typebox';
import { Id, IsoTime } from './common.js';
import { Case, VoiceSession } from './case.js';
import { LockoutView } from './lockout.js';
import { Vin } from './vin.js';

/** Live message kinds of `GET /v1/operator/ws` (contract, "WebSocket"). */
export const FEED_TYPES = ['case.opened', 'case.updated', 'case.closed', 'session.updated', 'lockout.updated'] as const;
export type FeedType = (typeof FEED_TYPES)[number];

const seqAt = { seq: Type.Integer({ minimum: 0 }), at: IsoTime };

export const CaseFeedMessage = Type.Object({
  type: Type.Union([Type.Literal('case.opened'), Type.Literal('case.updated'), Type.Literal('case.closed')]),
  ...seqAt,
  case: Case,
});
export const SessionFeedMessage = Type.Object({ type: Type.Literal('session.updated'), ...seqAt, session: VoiceSession });
export const LockoutFeedMessage = Type.Object({ type: Type.Literal('lockout.updated'), ...seqAt, lockout: LockoutView });
/**
 * Extension (v1 "Answer targets"): a case still ringing past its priority's answer target
 * (`ANSWER_TARGET_S`), sent once per case, after the `case.updated` that carries its `escalatedAt`.
 */
export const EscalatedFeedMessage = Type.Object({
  type: Type.Literal('case.escalated'),
  ...seqAt,
  caseId: Id,
  vin: Vin,
  priority: Type.Union([Type.Literal(1), Type.Literal(2), Type.Literal(3)]),
  targetSeconds: Type.Number({ minimum: 0 }),
  ringingSeconds: Type.Number({ minimum: 0 }),
  case: Case,
});
/**
 * Message kinds added after v1 (contract: "clients ignore what they do not know"). Kept apart from
 * FEED_TYPES, which older consoles use as the list of kinds they apply.
 */
export const FEED_EXTENSION_TYPES = ['case.escalated'] as const;
export type EscalatedFeedMessage = Static<typeof EscalatedFeedMessage>;
/**
 * Every live message the feed may carry: the v1 kinds and the extension kinds (`case.escalated`), in the
 * schema and in the type (issue 14 part 5: the console handles `case.escalated` in its exhaustive switch,
 * so the type names it too). Code that reads the feed must still let an unknown `type` pass (contract:
 * clients ignore what they do not know). An extension message carries `case` like the v1 case messages,
 * so a reader that takes "not session, not lockout" for a case message still holds.
 */
export const FeedMessage = Type.Union([CaseFeedMessage, SessionFeedMessage, LockoutFeedMessage, EscalatedFeedMessage], { $id: 'FeedMessage' });
export type FeedMessage = Static<typeof CaseFeedMessage> | Static<typeof SessionFeedMessage> | Static<typeof LockoutFeedMessage> | EscalatedFeedMessage;
/** The same as `FeedMessage` (kept for the code that named every kind while `FeedMessage` was the v1 union). */
export type AnyFeedMessage = FeedMessage;

/** Sent first on every connection; `reset: true` when `since` was too old to replay. */
export const SnapshotMessage = Type.Object({
  type: Type.Literal('snapshot'),
  ...seqAt,
  cases: Type.Array(Case),
  reset: Type.Optional(Type.Boolean()),
  /**
   * Extension: names the feed's history. A store that lost its history (an in-memory restart, an
   * emptied Redis) has a new epoch; a client resumes with `?since=<seq>&epoch=<epoch>` and gets a
   * fresh `reset` snapshot when the epoch is not the current one, as seqs of two histories do not compare.
   */
  epoch: Type.Optional(Type.String()),
  /**
   * Extension: present and true when the open cases did not fit the server's snapshot size limit
   * (`FEED_MAX_SNAPSHOT_BYTES`). `cases` then holds the most urgent ones, a leading part of the queue
   * order, and later live messages still cover every case (a `case.updated` may name one not listed).
   */
  truncated: Type.Optional(Type.Boolean()),
  /** Extension, with `truncated`: how many cases were open at `seq`, of which `cases` holds the first. */
  totalCases: Type.Optional(Type.Integer({ minimum: 0 })),
});
export type SnapshotMessage = Static<typeof SnapshotMessage>;

/** A feed message before the store stamps it with its place in the one sequence. */
export type FeedDraft = FeedMessage extends infer M ? (M extends FeedMessage ? Omit<M, 'seq'> : never) : never;
/** An extension message before the store stamps it (domain/changes.ts `extraFeed`). */
export type EscalatedFeedDraft = Omit<EscalatedFeedMessage, 'seq'>;

/**
 * Close codes of the feed socket. 1013 ("try again later", RFC 6455 7.4.1) is the contract's code for
 * a client that cannot keep up (or stopped reading); it resumes with `since`. Past its client limit
 * the server refuses the upgrade with HTTP 503, and closes with 1013 and the reason "too many feed
 * clients" only a connection that raced past that check.
 */
export const FEED_CLOSE = { tooSlow: 1013, tooManyClients: 1013, unauthorized: 4401, badRequest: 4400, shuttingDown: 1001 } as const;
