import { useCallback, useMemo, useRef, useState } from 'preact/hooks';
import type { Case } from '../../../protocol/index.js';
import { CaseView } from './components/CaseView.js';
import { Header } from './components/Header.js';
import { JapanMap } from './components/JapanMap.js';
import { Queue } from './components/Queue.js';
import { LoginDialog } from './components/LoginDialog.js';
import { TokenDialog, type TokenRequest } from './components/TokenDialog.js';
import { useCaseActions } from './hooks/use-case-actions.js';
import { useFeed } from './hooks/use-feed.js';
import { useKeyboard } from './hooks/use-keyboard.js';
import { canDo } from './lib/actions.js';
import { createApi } from './lib/api.js';
import { readLogin, tokenGate, type AuthMode } from './lib/auth.js';
import { TRIGGER_LABEL } from './lib/describe.js';
import { sessionOf } from './lib/feed-state.js';
import { moveSelection, openQueue } from './lib/queue.js';
import { hasSavedSettings, loadSettings, normalise, saveSettings, type Settings } from './lib/settings.js';
import { playAlert } from './lib/sound.js';

export function App() {
  const [settings, setSettings] = useState<Settings>(loadSettings);
  const settingsRef = useRef(settings);
  settingsRef.current = settings;
  const [askOperator, setAskOperator] = useState(() => !hasSavedSettings());
  const [tokenRequest, setTokenRequest] = useState<(TokenRequest & { mode: AuthMode }) | null>(null);
  // Issue 11: who is logged in (AUTH=on), shown in the header with a Log out button.
  const [login, setLogin] = useState(readLogin);
  const [announcement, setAnnouncement] = useState('');
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [openId, setOpenId] = useState<string | null>(null);

  // One question for the token however many requests fail at once (contract "Auth"): the login form
  // when the service asks operators to log in (AUTH=on), else the API token dialog.
  const askToken = useMemo(
    () => tokenGate((reason, mode) => new Promise<string | null>((resolve) => setTokenRequest({ reason, mode, resolve }))),
    [],
  );
  const api = useMemo(() => createApi({ operatorId: () => settingsRef.current.operatorId, unauthorized: askToken }), [askToken]);

  const onNewPriorityOne = useCallback((c: Case) => {
    const where = c.position ? '' : ', position unknown';
    setAnnouncement(`New priority 1 case: ${TRIGGER_LABEL[c.trigger]}, vehicle ${c.vin}${c.test ? ', test call' : ''}${where}`);
    if (settingsRef.current.sound) playAlert();
  }, []);
  const { feed, conn, now, addSession, reconnect } = useFeed({ api, askToken, onNewPriorityOne });
  const { action, run } = useCaseActions(api, openId, addSession);

  const queue = useMemo(() => openQueue(feed), [feed]);
  const openCase = openId ? feed.cases.get(openId) ?? null : null;
  const open = useCallback((id: string) => {
    setSelectedId(id);
    setOpenId(id);
  }, []);

  useKeyboard(
    {
      move: (step) => setSelectedId((id) => moveSelection(queue, id, step)),
      open: () => selectedId && setOpenId(selectedId),
      answer: () => {
        const id = openId ?? selectedId;
        const c = id ? feed.cases.get(id) : undefined;
        if (!c) return;
        setOpenId(c.id);
        if (canDo(c, sessionOf(feed, c)).answer) void run(c.id, 'answer');
      },
      escape: () => setOpenId(null),
    },
    tokenRequest !== null,
  );

  return (
    <div class="shell">
      <Header
        conn={conn}
        settings={settings}
        askOperator={askOperator}
        openCount={queue.length}
        onSettings={(s) => {
          saveSettings(s);
          setSettings(normalise(s));
          setAskOperator(false);
        }}
        onReconnect={reconnect}
        login={login?.operator ?? null}
        onLogout={() => {
          void api.logout().then(() => setLogin(null));
        }}
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
          onAction={run}
        />
        <JapanMap cases={queue} selectedId={selectedId ?? openId} onSelect={open} />
      </main>
      <div class="sr-only" role="status" aria-live="assertive" aria-atomic="true" data-testid="announcer">
        {announcement}
      </div>
      {tokenRequest?.mode === 'login' && (
        <LoginDialog
          request={tokenRequest}
          onDone={(token) => {
            setLogin(readLogin());
            tokenRequest.resolve(token);
            setTokenRequest(null);
          }}
        />
      )}
      {tokenRequest && tokenRequest.mode !== 'login' && (
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
