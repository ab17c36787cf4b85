import { useEffect, useRef, useState } from 'preact/hooks';
import { useI18n, type AuthReason } from '../i18n/index.js';
import { ApiError, logIn } from '../lib/api.js';

export interface LoginRequest {
  reason: string;
  resolve(token: string | null): void;
}

/**
 * Issue 11, AUTH=on: the operator logs in with username and password; the login (its token, until it
 * expires or the operator logs out) is kept for this tab only (lib/auth.ts). A refusal is shown in the
 * service's words (wrong password, too many attempts) and the form stays.
 */
export function LoginDialog({ request, onDone }: { request: LoginRequest; onDone(token: string | null): void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const first = useRef<HTMLInputElement>(null);
  const { m } = useI18n();
  useEffect(() => first.current?.focus(), []);
  return (
    <div class="overlay" role="dialog" aria-modal="true" aria-labelledby="login-title">
      <form
        class="dialog"
        onSubmit={async (e) => {
          e.preventDefault();
          if (busy) return;
          setBusy(true);
          setError(null);
          try {
            const login = await logIn(username.trim(), password);
            onDone(login.token);
          } catch (err) {
            setError(err instanceof ApiError && err.code === 'network' ? m.unreachable : err instanceof Error ? err.message : String(err));
            setPassword('');
          } finally {
            setBusy(false);
          }
        }}
      >
        <h2 id="login-title">{m.loginTitle}</h2>
        <p>
          {m.reason[request.reason as AuthReason] ?? request.reason} {m.loginKept}
        </p>
        <label>
          {m.username}
          <input ref={first} name="username" autocomplete="username" value={username} maxLength={64} onInput={(e) => setUsername(e.currentTarget.value)} />
        </label>
        <label>
          {m.password}
          <input type="password" name="password" autocomplete="current-password" value={password} maxLength={256} onInput={(e) => setPassword(e.currentTarget.value)} />
        </label>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <div class="row">
          <button type="submit" disabled={busy || !username.trim() || !password}>
            {m.logIn}
          </button>
          <button type="button" class="link" onClick={() => onDone(null)}>
            {m.cancel}
          </button>
        </div>
      </form>
    </div>
  );
}
