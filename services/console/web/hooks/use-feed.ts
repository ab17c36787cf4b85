import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { Case, EscalatedFeedMessage } from '../../../../protocol/index.js';
import { ApiError, type Api } from '../lib/api.js';
import { authMode, readLogin, readToken } from '../lib/auth.js';
import { applyMessage, emptyFeedState, withSession, type FeedState, type ServerMessage } from '../lib/feed-state.js';
import { FeedSocket, feedUrl, type ConnectionState } from '../lib/feed-socket.js';
import { useNow } from './use-now.js';

export interface Feed {
  feed: FeedState;
  conn: { state: ConnectionState; detail?: string };
  /** The service's clock as best known, ticking every 250 ms. */
  now: number;
  /** Applies a session read over HTTP (never undoes a newer feed update). */
  addSession(session: Parameters<typeof withSession>[1]): void;
  /** Connects again after the operator cancelled the token question. */
  reconnect(): void;
}

interface Options {
  api: Api;
  askToken(reason: string): Promise<string | null>;
  /** A priority-1 case new to this page (ARIA announcement, sound). */
  onNewPriorityOne(c: Case): void;
  /** Contract "Answer targets": the service escalated a call still ringing past its target (`case.escalated`). */
  onEscalated?(msg: EscalatedFeedMessage): void;
}

/** The live incident feed as state: socket with resume, reducer, sessions the snapshot lacks. */
export function useFeed({ api, askToken, onNewPriorityOne, onEscalated }: Options): Feed {
  const [feed, setFeed] = useState<FeedState>(emptyFeedState);
  const feedRef = useRef(feed);
  const commit = useCallback((next: FeedState) => {
    if (next === feedRef.current) return;
    feedRef.current = next;
    setFeed(next);
  }, []);
  const [conn, setConn] = useState<Feed['conn']>({ state: 'connecting' });

  // Service clock minus this PC's, from each snapshot's `at` (sent as the socket opens; replayed
  // messages carry old times, so only snapshots are used).
  const clockOffset = useRef(0);
  const now = useNow(
    250,
    useCallback(() => clockOffset.current, []),
  );

  const announce = useRef(onNewPriorityOne);
  announce.current = onNewPriorityOne;
  const escalated = useRef(onEscalated);
  escalated.current = onEscalated;
  const onMessage = useCallback(
    (msg: ServerMessage) => {
      if (msg.type === 'snapshot') clockOffset.current = Date.parse(msg.at) - Date.now() || 0;
      const before = feedRef.current;
      const next = applyMessage(before, msg);
      commit(next);
      if (next !== before && msg.type === 'case.opened' && msg.case.priority === 1 && !before.cases.has(msg.case.id)) {
        announce.current(msg.case);
      }
      if (next !== before && msg.type === 'case.escalated') escalated.current?.(msg);
    },
    [commit],
  );

  const socketRef = useRef<FeedSocket | null>(null);
  useEffect(() => {
    const socket = new FeedSocket({
      url: feedUrl(location),
      lastSeq: () => feedRef.current.seq,
      lastEpoch: () => feedRef.current.epoch,
      token: readToken,
      onMessage,
      onState: (state, detail) => setConn({ state, detail }),
      // A login this tab had that the feed now refuses: the session ended (expired, or logged out elsewhere).
      unauthorized: async () => (await askToken(authMode() === 'login' ? (readLogin() ? 'sessionEnded' : 'feedLogin') : 'feedToken')) !== null,
      probe: async () => {
        try {
          await api.openCases();
          return 'ok';
        } catch (err) {
          return err instanceof ApiError && err.status === 401 ? 'unauthorized' : 'ok';
        }
      },
    });
    socketRef.current = socket;
    socket.start();
    return () => socket.stop();
  }, [api, askToken, onMessage]);

  // Sessions are not in the snapshot: fetch the ones the queue does not know yet, a few at a time.
  const requested = useRef(new Set<string>());
  useEffect(() => {
    const missing = [...feed.cases.values()].filter(
      (c) => c.status === 'open' && !feed.sessions.has(c.sessionId) && !requested.current.has(c.sessionId),
    );
    for (const c of missing.slice(0, 8)) {
      requested.current.add(c.sessionId);
      api
        .getSession(c.sessionId)
        .then((s) => commit(withSession(feedRef.current, s)))
        .catch(() => requested.current.delete(c.sessionId));
    }
  }, [feed, api, commit]);

  const addSession = useCallback((s: Parameters<typeof withSession>[1]) => commit(withSession(feedRef.current, s)), [commit]);
  const reconnect = useCallback(() => socketRef.current?.start(), []);
  return { feed, conn, now, addSession, reconnect };
}
