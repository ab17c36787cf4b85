import type { LoginResponse } from '../../../../protocol/index.js';

/**
 * Credentials of this tab, in sessionStorage only (gone with the tab), never in localStorage or the URL
 * bar. Two kinds (issue 11):
 * - with AUTH=on the operator logs in: the login (`{token, expiresAt, operator}`) is kept, and its token
 *   is what every request and the feed send;
 * - with only API_TOKEN set, the service token the operator types into the token dialog.
 * Which one the service wants is in its 401: a body with `login` means "log in" (AUTH=on).
 */
const TOKEN_KEY = 'anshin.apiToken';
const LOGIN_KEY = 'anshin.login';

export type AuthMode = 'login' | 'token';

let lastMode: AuthMode | null = null;

/** The bearer token to send: the login's while logged in, else the API token, else none. */
export function readToken(): string | null {
  return readLogin()?.token ?? read(TOKEN_KEY);
}

export function writeToken(token: string | null): void {
  write(TOKEN_KEY, token);
}

export function readLogin(): LoginResponse | null {
  const raw = read(LOGIN_KEY);
  if (!raw) return null;
  try {
    return JSON.parse(raw) as LoginResponse;
  } catch {
    return null;
  }
}

export function writeLogin(login: LoginResponse | null): void {
  write(LOGIN_KEY, login ? JSON.stringify(login) : null);
  if (login) lastMode = 'login';
}

/** What the service last asked for in a 401 (api.ts records it); a tab that logged in before wants a login. */
export function authMode(): AuthMode {
  return lastMode ?? (readLogin() ? 'login' : 'token');
}

export function noteAuthMode(mode: AuthMode): void {
  lastMode = mode;
}

function read(key: string): string | null {
  try {
    return sessionStorage.getItem(key);
  } catch {
    return null;
  }
}

function write(key: string, value: string | null): void {
  try {
    if (value) sessionStorage.setItem(key, value);
    else sessionStorage.removeItem(key);
  } catch {
    // Storage disabled: the credentials live as long as the page does.
  }
}

/**
 * Shows the token dialog or the login form (by `mode`); resolves with the token, or null when the
 * operator cancels. The login form stores the login itself (writeLogin) before it resolves.
 */
export type TokenAsker = (reason: string, mode: AuthMode) => Promise<string | null>;

/**
 * Coalesces every 401 that arrives while the dialog is open into one question, so that ten failing
 * requests ask once.
 */
export function tokenGate(ask: TokenAsker): (reason: string, mode?: AuthMode) => Promise<string | null> {
  let pending: Promise<string | null> | null = null;
  return (reason, mode = authMode()) => {
    pending ??= ask(reason, mode).then((token) => {
      pending = null;
      if (token && mode === 'token') writeToken(token);
      return token;
    });
    return pending;
  };
}
