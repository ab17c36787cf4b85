import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Case, EscalatedFeedMessage } from '../../../protocol/index.js';
import { CaseMap, type MapControl } from './components/CaseMap.js';
import { CaseView } from './components/CaseView.js';
import { Header } from './components/Header.js';
import { HelpOverlay } from './components/HelpOverlay.js';
import { LoginDialog } from './components/LoginDialog.js';
import { Queue } from './components/Queue.js';
import { SupervisorView } from './components/SupervisorView.js';
import { TokenDialog, type TokenRequest } from './components/TokenDialog.js';
import { useCaseActions } from './hooks/use-case-actions.js';
import { useFeed } from './hooks/use-feed.js';
import { useKeyboard, type KeyMap } from './hooks/use-keyboard.js';
import { useServiceCars } from './hooks/use-service-cars.js';
import { I18nContext, initialLang, MESSAGES, saveLang, type I18n, type Lang } from './i18n/index.js';
import { canDo, type CaseActionName } from './lib/actions.js';
import { createApi } from './lib/api.js';
import { authMode, readLogin, tokenGate, type AuthMode } from './lib/auth.js';
import { sessionOf } from './lib/feed-state.js';
import { casePlace } from './lib/location.js';
import { arrangeQueue, filterCounts, moveSelection, openQueue, QUEUE_FILTERS, type QueueFilter } from './lib/queue.js';
import { hasSavedSettings, loadSettings, normalise, saveSettings, type Settings } from './lib/settings.js';
import { playAlert, soundReady, unlockOnFirstGesture } from './lib/sound.js';
import { answerTimer } from './lib/time.js';

export function App() {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const i18n = useMemo<I18n>(
    () => ({
      lang,
      m: MESSAGES[lang],
      setLang: (l) => {
        saveLang(l);
        setLangState(l);
      },
    }),
    [lang],
  );
  const m = i18n.m;
  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = m.appTitle;
  }, [lang, m]);

  const [settings, setSettings] = useState<Settings>(loadSettings);
  const settingsRef = useRef(settings);
  settingsRef.current = settings;
  const [askOperator, setAskOperator] = useState(() => !hasSavedSettings());
  const [tokenRequest, setTokenRequest] = useState<(TokenRequest & { mode: AuthMode }) | null>(null);
  // Issue 11: who is logged in (AUTH=on), shown in the header with a Log out button.
  const [login, setLogin] = useState(readLogin);
  // The last few announcements, newest last: a new one (an escalation) never wipes out the one before
  // (an overdue priority 1) before a screen reader has read it.
  const [announcements, setAnnouncements] = useState<{ id: number; text: string }[]>([]);
  const announceSeq = useRef(0);
  const setAnnouncement = useCallback((text: string) => setAnnouncements((list) => [...list, { id: ++announceSeq.current, text }].slice(-3)), []);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [openId, setOpenId] = useState<string | null>(null);
  const [filter, setFilter] = useState<QueueFilter>('all');
  const [query, setQuery] = useState('');
  const [help, setHelp] = useState(false);
  const [soundOk, setSoundOk] = useState(soundReady);
  // Issue 14 part 2: the no-response confirmation (by case), and the notes being typed (by case): page
  // state, so that a login asked again (session expired, issue 14 part 6) loses none of it.
  const [confirmNoResponse, setConfirmNoResponse] = useState<string | null>(null);
  const [noteDrafts, setNoteDrafts] = useState<Record<string, string>>({});
  // Issue 14 part 4: the supervisor view in place of the map.
  const [supView, setSupView] = useState(false);
  const searchRef = useRef<HTMLInputElement>(null);
  const mapControl = useRef<MapControl | null>(null);
  const mRef = useRef(m);
  mRef.current = m;

  // The browser lets a page play sound only after a gesture: the first click or key (the login) unlocks it.
  useEffect(() => unlockOnFirstGesture(() => setSoundOk(true)), []);

  // One question for the token however many requests fail at once (contract "Auth"): the login form
  // when the service asks operators to log in (AUTH=on), else the API token dialog.
  const askToken = useMemo(
    () => tokenGate((reason, mode) => new Promise<string | null>((resolve) => setTokenRequest({ reason, mode, resolve }))),
    [],
  );
  const api = useMemo(() => createApi({ operatorId: () => settingsRef.current.operatorId, unauthorized: askToken }), [askToken]);

  const onNewPriorityOne = useCallback(
    (c: Case) => {
      const mm = mRef.current;
      setAnnouncement(mm.newP1(mm.trigger[c.trigger], c.vin, c.test, !c.position));
      if (settingsRef.current.sound && !c.test) playAlert();
    },
    [setAnnouncement],
  );
  const onEscalated = useCallback(
    (msg: EscalatedFeedMessage) => {
      const mm = mRef.current;
      setAnnouncement(mm.work.escalatedAnnounce(msg.vin, msg.priority, msg.targetSeconds));
      if (settingsRef.current.sound && !msg.case.test) playAlert();
    },
    [setAnnouncement],
  );
  const { feed, conn, now, addSession, reconnect } = useFeed({ api, askToken, onNewPriorityOne, onEscalated });
  const { action, run, work, runWork } = useCaseActions(api, openId, addSession);
  // Issue 14 part 6: what the role may do. AUTH=off (no login asked), everyone supervises (GET /v1/stats
  // and a release are open then); logged in, the role decides: an operator sees no supervisor view.
  const role = login?.operator.role ?? null;
  const supervisor = role === null ? authMode() !== 'login' : role !== 'operator';
  const showSup = supView && supervisor;

  const queue = useMemo(() => openQueue(feed), [feed]);
  const me = login?.operator.username ?? settings.operatorId;
  const shown = useMemo(() => arrangeQueue(queue, feed, { filter, query, me }), [queue, feed, filter, query, me]);
  const visible = useMemo(() => [...shown.real, ...shown.test], [shown]);
  const counts = useMemo(() => filterCounts(queue, feed, me), [queue, feed, me]);
  const openCase = openId ? (feed.cases.get(openId) ?? null) : null;
  const mapCase = openCase ?? (selectedId ? (feed.cases.get(selectedId) ?? null) : null);
  // The open case's service cars (contract "Service-car arrival"): on the map and with their ETA in the work panel.
  const serviceCars = useServiceCars(openCase, api);
  const place = useMemo(() => (mapCase ? casePlace(mapCase) : null), [mapCase]);
  const open = useCallback((id: string) => {
    setSelectedId(id);
    setOpenId(id);
  }, []);

  // A real priority-1 call still ringing past its answer target: heard once (sound on) and announced.
  const overdue = useRef(new Set<string>());
  useEffect(() => {
    for (const c of queue) {
      if (c.priority !== 1 || c.test || overdue.current.has(c.id)) continue;
      const s = sessionOf(feed, c);
      if (s?.state !== 'ringing' || answerTimer(c.openedAt, now, settings.answerTargetS).state !== 'overdue') continue;
      overdue.current.add(c.id);
      setAnnouncement(m.overdueP1(c.vin));
      if (settings.sound) playAlert();
    }
  }, [now, queue, feed, settings.answerTargetS, settings.sound, m, setAnnouncement]);

  const current = () => {
    const id = openId ?? selectedId;
    return id ? feed.cases.get(id) : undefined;
  };
  const act = (name: Exclude<CaseActionName, 'close'>) => () => {
    const c = current();
    if (!c) return;
    setOpenId(c.id);
    if (canDo(c, sessionOf(feed, c))[name]) void run(c.id, name);
  };
  const focusInCase = (id: string) => {
    const c = current();
    if (!c) return;
    setOpenId(c.id);
    // The case view may render first (a selected case opened by this key).
    requestAnimationFrame(() => document.getElementById(id)?.focus());
  };
  const step = (dir: 1 | -1) => () => {
    const id = moveSelection(visible, selectedId, dir);
    if (id) open(id);
  };
  const keys: KeyMap = help
    ? { Escape: () => setHelp(false), '?': () => setHelp(false) }
    : {
        '?': () => setHelp(true),
        '/': () => searchRef.current?.focus(),
        j: () => setSelectedId((id) => moveSelection(visible, id, 1)),
        ArrowDown: () => setSelectedId((id) => moveSelection(visible, id, 1)),
        k: () => setSelectedId((id) => moveSelection(visible, id, -1)),
        ArrowUp: () => setSelectedId((id) => moveSelection(visible, id, -1)),
        n: step(1),
        p: step(-1),
        Enter: () => selectedId && setOpenId(selectedId),
        a: act('answer'),
        h: act('hangup'),
        c: act('callback'),
        // Close: the resolution list takes the focus (arrows choose, Enter closes); chosen already, x closes.
        x: () => {
          const c = current();
          if (!c) return;
          setOpenId(c.id);
          const select = document.getElementById('resolution') as HTMLSelectElement | null;
          if (select?.value && canDo(c, sessionOf(feed, c)).close) void run(c.id, 'close', select.value);
          else select?.focus();
        },
        // Issue 14 part 2: d dispatch (the agency list takes the focus, Enter requests), r no response
        // (asks first: the confirmation takes the focus, Enter sends, Esc cancels), m a note.
        d: () => focusInCase('dispatch-agency'),
        r: () => {
          const c = current();
          if (!c) return;
          setOpenId(c.id);
          setConfirmNoResponse(c.id);
        },
        m: () => focusInCase('note-text'),
        '+': () => mapControl.current?.zoomBy(2),
        '=': () => mapControl.current?.zoomBy(2),
        '-': () => mapControl.current?.zoomBy(0.5),
        '0': () => mapControl.current?.centreOnCase(),
        Escape: () => (confirmNoResponse ? setConfirmNoResponse(null) : setOpenId(null)),
        ...Object.fromEntries(QUEUE_FILTERS.map((f, i) => [String(i + 1), () => setFilter(f)])),
      };
  useKeyboard(keys, tokenRequest !== null);

  return (
    <I18nContext.Provider value={i18n}>
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
          onHelp={() => setHelp(true)}
          soundLocked={!soundOk}
          supervisor={supervisor ? { on: showSup, toggle: () => setSupView((v) => !v) } : null}
        />
        <main class="grid">
          <Queue
            cases={shown.real}
            tests={shown.test}
            feed={feed}
            now={now}
            targetS={settings.answerTargetS}
            selectedId={selectedId}
            openId={openId}
            filter={filter}
            counts={counts}
            query={query}
            onFilter={setFilter}
            onQuery={setQuery}
            onSelect={setSelectedId}
            onOpen={open}
            searchRef={searchRef}
          />
          <CaseView
            key={openCase?.id ?? 'none'}
            c={openCase}
            place={openCase ? place : null}
            feed={feed}
            now={now}
            targetS={settings.answerTargetS}
            busy={action.caseId === openCase?.id ? action.busy : null}
            error={action.caseId === openCase?.id ? action.error : null}
            errorCode={action.caseId === openCase?.id ? action.errorCode : undefined}
            onAction={run}
            mayRelease={!!openCase?.operatorId && (openCase.operatorId === me || supervisor)}
            work={{
              api,
              work: work.caseId === openCase?.id ? work : null,
              runWork,
              confirmNoResponse: !!openCase && confirmNoResponse === openCase.id,
              onConfirmNoResponse: (yes) => setConfirmNoResponse(yes && openCase ? openCase.id : null),
              noteDraft: (openCase && noteDrafts[openCase.id]) ?? '',
              onNoteDraft: (text) => openCase && setNoteDrafts((d) => ({ ...d, [openCase.id]: text })),
              serviceCars,
            }}
          />
          {showSup ? (
            <SupervisorView api={api} seq={feed.seq} cases={queue} onOpenCase={open} />
          ) : (
            <CaseMap cases={queue} selected={mapCase} place={place} onSelect={open} control={mapControl} serviceCars={mapCase === openCase ? Object.values(serviceCars) : []} />
          )}
        </main>
        <div class="sr-only" role="log" aria-live="assertive" aria-relevant="additions" data-testid="announcer">
          {announcements.map((a) => (
            <p key={a.id}>{a.text}</p>
          ))}
        </div>
        {help && <HelpOverlay onClose={() => setHelp(false)} />}
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
    </I18nContext.Provider>
  );
}
