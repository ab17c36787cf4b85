import { useState } from 'preact/hooks';
import type { OperatorView } from '../../../../protocol/index.js';
import { authMode } from '../lib/auth.js';
import type { ConnectionState } from '../lib/feed-socket.js';
import type { Settings } from '../lib/settings.js';
import { unlockSound } from '../lib/sound.js';

const CONN_LABEL: Record<ConnectionState, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  unauthorized: 'Needs API token',
};

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
}

export function Header({ conn, settings, askOperator, openCount, onSettings, onReconnect, login, onLogout }: Props) {
  const [editing, setEditing] = useState(false);
  // Logged in, the operator is the login's: the operator-id question is not asked.
  const showForm = editing || (askOperator && !login);
  const wantsLogin = authMode() === 'login';
  return (
    <header class="top">
      <h1>anshin · operator console</h1>
      <span class={`conn conn-${conn.state}`} data-conn={conn.state} role="status" title={conn.detail ?? ''}>
        <span class="dot" aria-hidden="true" />
        {conn.state === 'unauthorized' && wantsLogin ? 'Logged out' : CONN_LABEL[conn.state]}
      </span>
      {conn.state === 'unauthorized' && (
        <button type="button" class="link" onClick={onReconnect}>
          {wantsLogin ? 'Log in' : 'Enter API token'}
        </button>
      )}
      {login && (
        <span class="who" data-testid="logged-in">
          {login.displayName} ({login.role}){' '}
          <button type="button" class="link" onClick={onLogout}>
            Log out
          </button>
        </span>
      )}
      <span class="count">{openCount} open</span>
      <span class="spacer" />
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
        <button type="button" class="link" onClick={() => setEditing(true)} title="Operator id, answer target, sound">
          {login ? login.username : settings.operatorId} · target {settings.answerTargetS}s · sound {settings.sound ? 'on' : 'off'}
        </button>
      )}
    </header>
  );
}

function SettingsForm(props: { settings: Settings; firstTime: boolean; onSave(s: Settings): void; onCancel?: () => void }) {
  const [draft, setDraft] = useState(props.settings);
  return (
    <form
      class="settings"
      aria-label="Console settings"
      onSubmit={(e) => {
        e.preventDefault();
        props.onSave(draft);
      }}
    >
      {props.firstTime && <span class="hint">Who is on this console?</span>}
      <label>
        Operator id
        <input
          name="operatorId"
          value={draft.operatorId}
          maxLength={64}
          size={12}
          onInput={(e) => setDraft({ ...draft, operatorId: e.currentTarget.value })}
        />
      </label>
      <label title="NFPA 1225: 90% of calls answered within 10 seconds">
        Answer target (s)
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
        Sound on priority 1
      </label>
      <button type="submit">Save</button>
      {props.onCancel && (
        <button type="button" class="link" onClick={props.onCancel}>
          Cancel
        </button>
      )}
    </form>
  );
}
