import { useState } from 'preact/hooks';
import type { OperatorView } from '../../../../protocol/index.js';
import { useI18n, type Lang } from '../i18n/index.js';
import { authMode } from '../lib/auth.js';
import type { ConnectionState } from '../lib/feed-socket.js';
import type { Settings } from '../lib/settings.js';
import { unlockSound } from '../lib/sound.js';

interface Props {
  conn: { state: ConnectionState; detail?: string };
  settings: Settings;
  askOperator: boolean;
  openCount: number;
  onSettings(s: Settings): void;
  /** Tries the feed again after the token question was cancelled. */
  onReconnect(): void;
  /** Issue 11: the logged-in operator (AUTH=on), or null. */
  login: OperatorView | null;
  onLogout(): void;
  /** The `?` overlay. */
  onHelp(): void;
  /** Sound is on but the browser has not let it start yet (no click or key so far). */
  soundLocked: boolean;
  /** Issue 14 part 4: the supervisor view's switch, for a supervisor (or anyone with AUTH=off); null hides it. */
  supervisor: { on: boolean; toggle(): void } | null;
}

export function Header({ conn, settings, askOperator, openCount, onSettings, onReconnect, login, onLogout, onHelp, soundLocked, supervisor }: Props) {
  const [editing, setEditing] = useState(false);
  const { m, lang, setLang } = useI18n();
  // Logged in, the operator is the login's: the operator-id question is not asked.
  const showForm = editing || (askOperator && !login);
  const wantsLogin = authMode() === 'login';
  return (
    <header class="top">
      <h1>{m.appTitle}</h1>
      <span class={`conn conn-${conn.state}`} data-conn={conn.state} role="status" title={conn.detail ?? ''}>
        <span class="dot" aria-hidden="true" />
        {conn.state === 'unauthorized' && wantsLogin ? m.loggedOut : m.conn[conn.state]}
      </span>
      {conn.state === 'unauthorized' && (
        <button type="button" class="link" onClick={onReconnect}>
          {wantsLogin ? m.logIn : m.enterToken}
        </button>
      )}
      {login && (
        <span class="who" data-testid="logged-in">
          {login.displayName} ({login.role}){' '}
          <button type="button" class="link" onClick={onLogout}>
            {m.logOut}
          </button>
        </span>
      )}
      <span class="count">{m.openCount(openCount)}</span>
      <span class="spacer" />
      {settings.sound && soundLocked && (
        <span class="hint" data-testid="sound-locked">
          {m.soundLocked}
        </span>
      )}
      <label class="lang">
        <span class="sr-only">{m.language}</span>
        <select aria-label={m.language} data-testid="lang" value={lang} onChange={(e) => setLang(e.currentTarget.value as Lang)}>
          <option value="ja" lang="ja">
            日本語
          </option>
          <option value="en" lang="en">
            English
          </option>
        </select>
      </label>
      {supervisor && (
        <button type="button" class="link" aria-pressed={supervisor.on} data-testid="supervisor-toggle" onClick={supervisor.toggle}>
          {supervisor.on ? m.sup.backToMap : m.sup.open}
        </button>
      )}
      <button type="button" class="link" onClick={onHelp} aria-keyshortcuts="?">
        {m.keyboardHelp}
      </button>
      {showForm ? (
        <SettingsForm
          settings={settings}
          firstTime={askOperator && !editing}
          onSave={(s) => {
            if (s.sound && !settings.sound) unlockSound();
            onSettings(s);
            setEditing(false);
          }}
          onCancel={askOperator ? undefined : () => setEditing(false)}
        />
      ) : (
        <button type="button" class="link" onClick={() => setEditing(true)} title={m.settingsTitle}>
          {m.settingsSummary(login ? login.username : settings.operatorId, settings.answerTargetS, settings.sound)}
        </button>
      )}
    </header>
  );
}

function SettingsForm(props: { settings: Settings; firstTime: boolean; onSave(s: Settings): void; onCancel?: () => void }) {
  const [draft, setDraft] = useState(props.settings);
  const { m } = useI18n();
  return (
    <form
      class="settings"
      aria-label={m.settingsForm}
      onSubmit={(e) => {
        e.preventDefault();
        props.onSave(draft);
      }}
    >
      {props.firstTime && <span class="hint">{m.whoIsHere}</span>}
      <label>
        {m.operatorId}
        <input
          name="operatorId"
          value={draft.operatorId}
          maxLength={64}
          size={12}
          onInput={(e) => setDraft({ ...draft, operatorId: e.currentTarget.value })}
        />
      </label>
      <label title={m.answerTargetTitle}>
        {m.answerTarget}
        <input
          name="answerTargetS"
          type="number"
          min={1}
          max={600}
          value={draft.answerTargetS}
          style={{ width: '4.5em' }}
          onInput={(e) => setDraft({ ...draft, answerTargetS: Number(e.currentTarget.value) })}
        />
      </label>
      <label>
        <input
          type="checkbox"
          name="sound"
          checked={draft.sound}
          onChange={(e) => setDraft({ ...draft, sound: e.currentTarget.checked })}
        />
        {m.soundOnP1}
      </label>
      <button type="submit">{m.save}</button>
      {props.onCancel && (
        <button type="button" class="link" onClick={props.onCancel}>
          {m.cancel}
        </button>
      )}
    </form>
  );
}
