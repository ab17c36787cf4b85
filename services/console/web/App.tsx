import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { CaseView } from './components/CaseView.js';
import { Header } from './components/Header.js';
import { JapanMap } from './components/JapanMap.js';
import { Queue } from './components/Queue.js';
import { TokenDialog, type TokenRequest } from './components/TokenDialog.js';
import { ApiError, createApi } from './lib/api.js';
import { readToken, tokenGate } from './lib/auth.js';
import { TRIGGER_LABEL } from './lib/describe.js';
import { canDo, type CaseActionName } from './lib/actions.js';
import { applyMessage, emptyFeedState, sessionOf, withSession, type FeedState, type ServerMessage } from './lib/feed-state.js';
import { FeedSocket, feedUrl, type ConnectionState } from './lib/feed-socket.js';
import { moveSelection, openQueue } from './lib/queue.js';
import { hasSavedSettings, loadSettings, saveSettings, type Settings } from './lib/settings.js';
import { playAlert } from './lib/sound.js';
import { useNow } from './lib/use-now.js';

export function App() {
  const [settings, setSettings] = useState<Settings>(loadSettings);
  const settingsRef = useRef(settings);
  settingsRef.current = settings;
  const [askOperator, setAskOperator] = useState(() => !hasSavedSettings());

  const [feed, setFeed] = useState<FeedState>(emptyFeedState);
  const feedRef = useRef(feed);
  const commit = useCallback((next: FeedState) => {
    if (next === feedRef.current) return;
    feedRef.current = next;
    setFeed(next);
  }, []);

  const [conn, setConn] = useState<{ state: ConnectionState; detail?: string }>({ state: 'connecting' });
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [openId, setOpenId] = useState<string | null>(null);
  const [announcement, setAnnouncement] = useState('');
  const [tokenRequest, setTokenRequest] = useState<TokenRequest | null>(null);
  // Service clock minus this PC's, from each snapshot's `at` (sent as the socket opens; replayed
  // messages carry old times, so only snapshots are used).
  const clockOffset = useRef(0);
  const now = useNow(
    250,
    useCallback(() => clockOffset.current, []),
  );

  // One question for the token however many requests fail at once (contract "Auth").
  const askToken = useMemo(
    () => tokenGate((reason) => new Promise<string | null>((resolve) => setTokenRequest({ reason, resolve }))),
    [],
  );
  const api = useMemo(
    () => createApi({ operatorId: () => settingsRef.current.operatorId, unauthorized: askToken }),
    [askToken],
  );

  const onMessage = useCallback(
    (msg: ServerMessage) => {
      if (msg.type === 'snapshot') clockOffset.current = Date.parse(msg.at) - Date.now() || 0;
      const before = feedRef.current;
      const next = applyMessage(before, msg);
      commit(next);
      if (next !== before && msg.type === 'case.opened' && msg.case.priority === 1 && !before.cases.has(msg.case.id)) {
        const c = msg.case;
        const where = c.position ? '' : ', position unknown';
        setAnnouncement(`New priority 1 case: ${TRIGGER_LABEL[c.trigger]}, vehicle ${c.vin}${c.test ? ', test call' : ''}${where}`);
        if (settingsRef.current.sound) playAlert();
      }
    },
    [commit],
  );

  const socketRef = useRef<FeedSocket | null>(null);
  useEffect(() => {
    const socket = new FeedSocket({
      url: feedUrl(location),
      lastSeq: () => feedRef.current.seq,
      token: readToken,
      onMessage,
      onState: (state, detail) => setConn({ state, detail }),
      unauthorized: async () => (await askToken('The live feed asks for an API token.')) !== null,
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

  const queue = useMemo(() => openQueue(feed), [feed]);
  const openCase = openId ? feed.cases.get(openId) ?? null : null;

  const open = useCallback((id: string) => {
    setSelectedId(id);
    setOpenId(id);
  }, []);

  // Case actions (contract HTTP routes). The feed brings the result; re-reading the case picks up the
  // session at once even if the feed is a moment behind.
  const [action, setAction] = useState<{ caseId: string; busy: CaseActionName | null; error: string | null }>({
    caseId: '',
    busy: null,
    error: null,
  });
  const runAction = useCallback(
    async (caseId: string, name: CaseActionName, resolution?: string) => {
      setAction({ caseId, busy: name, error: null });
      try {
        if (name === 'close') await api.close(caseId, resolution ?? 'other');
        else await api[name](caseId);
        setAction({ caseId, busy: null, error: null });
      } catch (err) {
        setAction({ caseId, busy: null, error: err instanceof Error ? err.message : String(err) });
      }
      try {
        const fresh = await api.getCase(caseId);
        if (fresh.session) commit(withSession(feedRef.current, fresh.session));
      } catch {
        // The feed still brings the change.
      }
    },
    [api, commit],
  );

  // Opening a case reads it with its voice session (GET /v1/cases/{id}).
  useEffect(() => {
    if (!openId) return;
    api
      .getCase(openId)
      .then((c) => c.session && commit(withSession(feedRef.current, c.session)))
      .catch(() => undefined);
  }, [openId, api, commit]);

  useEffect(() => {
    const onKey = (ev: KeyboardEvent) => {
      if (ev.defaultPrevented || ev.altKey || ev.ctrlKey || ev.metaKey || tokenRequest) return;
      const t = ev.target as HTMLElement | null;
      if (t && /^(INPUT|SELECT|TEXTAREA|BUTTON|A)$/.test(t.tagName)) return;
      if (ev.key === 'j' || ev.key === 'ArrowDown' || ev.key === 'k' || ev.key === 'ArrowUp') {
        const step = ev.key === 'j' || ev.key === 'ArrowDown' ? 1 : -1;
        setSelectedId((id) => moveSelection(queue, id, step));
        ev.preventDefault();
      } else if (ev.key === 'Enter' && selectedId) {
        setOpenId(selectedId);
        ev.preventDefault();
      } else if (ev.key === 'a') {
        const id = openId ?? selectedId;
        if (!id) return;
        setOpenId(id);
        const c = feedRef.current.cases.get(id);
        if (c && canDo(c, sessionOf(feedRef.current, c)).answer) void runAction(id, 'answer');
        ev.preventDefault();
      } else if (ev.key === 'Escape' && openId) {
        setOpenId(null);
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [queue, selectedId, openId, tokenRequest, runAction]);

  const updateSettings = (s: Settings) => {
    saveSettings(s);
    setSettings(loadSettings());
  };

  return (
    <div class="shell">
      <Header
        conn={conn}
        settings={settings}
        askOperator={askOperator}
        onSettings={(s) => {
          updateSettings(s);
          setAskOperator(false);
        }}
        openCount={queue.length}
        onReconnect={() => socketRef.current?.start()}
      />
      <main class="grid">
        <Queue
          cases={queue}
          feed={feed}
          now={now}
          targetS={settings.answerTargetS}
          selectedId={selectedId}
          openId={openId}
          onSelect={setSelectedId}
          onOpen={open}
        />
        <CaseView
          key={openCase?.id ?? 'none'}
          c={openCase}
          feed={feed}
          now={now}
          targetS={settings.answerTargetS}
          busy={action.caseId === openCase?.id ? action.busy : null}
          error={action.caseId === openCase?.id ? action.error : null}
          onAction={runAction}
        />
        <JapanMap cases={queue} selectedId={selectedId ?? openId} onSelect={open} />
      </main>
      <div class="sr-only" role="status" aria-live="assertive" aria-atomic="true" data-testid="announcer">
        {announcement}
      </div>
      {tokenRequest && (
        <TokenDialog
          request={tokenRequest}
          onDone={(token) => {
            tokenRequest.resolve(token);
            setTokenRequest(null);
          }}
        />
      )}
    </div>
  );
}
