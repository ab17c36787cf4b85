import { FEED_EXTENSION_TYPES, FEED_TYPES } from '../../../../protocol/feed.js';
import type { AnyFeedMessage, Case, LockoutView, SnapshotMessage, VoiceSession } from '../../../../protocol/index.js';
import { describeMessage } from './describe.js';

/**
 * Anything the operator feed sends (contract, "WebSocket"), with the extension kinds this console knows
 * (`case.escalated`, contract "Answer targets"); kinds it does not know are dropped by `parseServerMessage`.
 */
export type ServerMessage = SnapshotMessage | AnyFeedMessage;

export interface TimelineEntry {
  seq: number;
  at: string;
  type: ServerMessage['type'];
  /** In English; the case view words it again in the console's language from `msg`. */
  text: string;
  msg: AnyFeedMessage;
}

/**
 * What the console knows, built only from the feed (plus sessions fetched over HTTP). Every map is
 * replaced, never mutated, so that a changed state is a new object.
 */
export interface FeedState {
  /** Seq of the last message applied; null before the first snapshot. Sent back as `?since=`. */
  seq: number | null;
  /** The feed history `seq` belongs to (from the last snapshot); sent back as `?epoch=`. */
  epoch: string | null;
  /** Open cases, and closed ones seen closing while the page was open (kept for the case view). */
  cases: ReadonlyMap<string, Case>;
  /** Voice sessions by session id. */
  sessions: ReadonlyMap<string, VoiceSession>;
  /** Latest lockout by VIN; newer than `case.lockout` when a `lockout.updated` came after the case. */
  lockouts: ReadonlyMap<string, LockoutView>;
  /** Feed messages per case id, oldest first. */
  timelines: ReadonlyMap<string, readonly TimelineEntry[]>;
  /**
   * Open cases the last snapshot left out (`truncated`: only the most urgent fit the server's limit)
   * that the page has not heard of since; 0 after a whole snapshot. The queue says "showing N of M".
   */
  hidden: number;
}

export const TIMELINE_LIMIT = 200;
/** Closed cases kept for the case view; older ones are forgotten so a long shift does not grow the page. */
export const CLOSED_LIMIT = 50;

export function emptyFeedState(): FeedState {
  return { seq: null, epoch: null, cases: new Map(), sessions: new Map(), lockouts: new Map(), timelines: new Map(), hidden: 0 };
}

/**
 * Applies one server message. Returns the same object when the message changes nothing, which is the
 * case for any non-snapshot message at or below the last seq: a resume (`?since=`) that overlaps what
 * the page already has, or a message delivered twice, is applied once.
 *
 * A snapshot replaces the set of cases wholesale and resets `seq` even when it goes down: after a
 * service restart (in-memory store) the sequence starts again, and the snapshot is the new truth, so
 * every open case appears exactly once.
 */
export function applyMessage(state: FeedState, msg: ServerMessage): FeedState {
  if (msg.type === 'snapshot') return applySnapshot(state, msg);
  if (state.seq !== null && msg.seq <= state.seq) return state;
  const next: FeedState = { ...state, seq: msg.seq };
  const text = describeMessage(msg);
  switch (msg.type) {
    case 'case.escalated': {
      // Contract "Answer targets": the case (with its escalatedAt) and a line in its timeline.
      const known = state.cases.get(msg.case.id);
      if (!known || known.status === 'open') next.cases = withEntry(state.cases, msg.case.id, msg.case);
      next.timelines = appendTimeline(state.timelines, [msg.caseId], { seq: msg.seq, at: msg.at, type: msg.type, text, msg });
      return next;
    }
    case 'case.opened':
    case 'case.updated':
    case 'case.closed': {
      const cases = new Map(state.cases);
      const c = msg.type === 'case.closed' ? { ...msg.case, status: 'closed' as const } : msg.case;
      // A closing case moves to the end, so that map order is closing order for forgetOldClosed.
      if (msg.type === 'case.closed') cases.delete(c.id);
      // Any case the page did not have, other than a new one, is one the truncated snapshot left out.
      if (state.hidden > 0 && msg.type !== 'case.opened' && !state.cases.has(c.id)) next.hidden = state.hidden - 1;
      cases.set(c.id, c);
      next.cases = cases;
      next.lockouts = withEntry(state.lockouts, c.vin, c.lockout);
      next.timelines = appendTimeline(state.timelines, [c.id], { seq: msg.seq, at: msg.at, type: msg.type, text, msg });
      return msg.type === 'case.closed' ? forgetOldClosed(next) : next;
    }
    case 'session.updated': {
      next.sessions = withEntry(state.sessions, msg.session.id, msg.session);
      next.timelines = appendTimeline(state.timelines, [msg.session.caseId], { seq: msg.seq, at: msg.at, type: msg.type, text, msg });
      return next;
    }
    case 'lockout.updated': {
      next.lockouts = withEntry(state.lockouts, msg.lockout.vin, msg.lockout);
      const ids = [...state.cases.values()].filter((c) => c.vin === msg.lockout.vin && c.status === 'open').map((c) => c.id);
      next.timelines = appendTimeline(state.timelines, ids, { seq: msg.seq, at: msg.at, type: msg.type, text, msg });
      return next;
    }
    default:
      return next;
  }
}

function applySnapshot(state: FeedState, msg: SnapshotMessage): FeedState {
  const cases = new Map<string, Case>();
  const lockouts = new Map(state.lockouts);
  for (const c of msg.cases) {
    cases.set(c.id, c);
    lockouts.set(c.vin, c.lockout);
  }
  // Timelines and sessions of cases the snapshot no longer lists are dropped with them.
  const timelines = new Map([...state.timelines].filter(([id]) => cases.has(id)));
  const sessions = new Map([...state.sessions].filter(([, s]) => cases.has(s.caseId)));
  const hidden = msg.truncated ? Math.max(0, (msg.totalCases ?? 0) - msg.cases.length) : 0;
  return { seq: msg.seq, epoch: msg.epoch ?? null, cases, sessions, lockouts, timelines, hidden };
}

function forgetOldClosed(state: FeedState): FeedState {
  // Closed cases sit in closing order (see above): the first ones closed longest ago.
  const closed = [...state.cases.values()].filter((c) => c.status === 'closed');
  if (closed.length <= CLOSED_LIMIT) return state;
  const gone = new Set(closed.slice(0, closed.length - CLOSED_LIMIT).map((c) => c.id));
  return {
    ...state,
    cases: new Map([...state.cases].filter(([id]) => !gone.has(id))),
    timelines: new Map([...state.timelines].filter(([id]) => !gone.has(id))),
    sessions: new Map([...state.sessions].filter(([, s]) => !gone.has(s.caseId))),
  };
}

/** Records a session fetched over HTTP (`GET /v1/cases/{id}`); the feed's copy wins when it is newer. */
export function withSession(state: FeedState, session: VoiceSession): FeedState {
  const known = state.sessions.get(session.id);
  if (known && sessionRank(known) > sessionRank(session)) return state;
  return { ...state, sessions: withEntry(state.sessions, session.id, session) };
}

/**
 * A session only moves forward: ringing -> connected -> cleared, and a call-back (D2.6) starts the round
 * again. The rank orders two copies of it, so that a slow HTTP answer cannot undo a newer feed update.
 */
function sessionRank(s: VoiceSession): number {
  return s.callbacks.length * 3 + { ringing: 0, connected: 1, cleared: 2 }[s.state];
}

function withEntry<K, V>(map: ReadonlyMap<K, V>, key: K, value: V): ReadonlyMap<K, V> {
  const next = new Map(map);
  next.set(key, value);
  return next;
}

function appendTimeline(
  timelines: ReadonlyMap<string, readonly TimelineEntry[]>,
  caseIds: readonly string[],
  entry: TimelineEntry,
): ReadonlyMap<string, readonly TimelineEntry[]> {
  if (caseIds.length === 0) return timelines;
  const next = new Map(timelines);
  for (const id of caseIds) next.set(id, [...(timelines.get(id) ?? []), entry].slice(-TIMELINE_LIMIT));
  return next;
}

/** The lockout to show for a case: the newest the feed has for its car. */
export function lockoutOf(state: FeedState, c: Case): LockoutView {
  return state.lockouts.get(c.vin) ?? c.lockout;
}

export function sessionOf(state: FeedState, c: Case): VoiceSession | undefined {
  return state.sessions.get(c.sessionId);
}

/** A light check of what came off the socket: the server is trusted, but not a proxy or a bug. */
export function parseServerMessage(raw: string): ServerMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const m = value as { type?: unknown; seq?: unknown };
  if (typeof m.seq !== 'number' || !Number.isInteger(m.seq)) return null;
  const known: readonly string[] = [...FEED_TYPES, ...FEED_EXTENSION_TYPES];
  return typeof m.type === 'string' && (m.type === 'snapshot' || known.includes(m.type)) ? (value as ServerMessage) : null;
}
