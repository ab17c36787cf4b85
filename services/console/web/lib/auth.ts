/**
 * The API token (contract "Auth"): asked for when the service answers 401 or the feed closes with 4401,
 * kept in sessionStorage only (gone with the tab), never in localStorage or the URL bar.
 */
const TOKEN_KEY = 'anshin.apiToken';

export function readToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function writeToken(token: string | null): void {
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // Storage disabled: the token lives as long as the page does.
  }
}

/** Shows the token dialog; resolves with the token, or null when the operator cancels. */
export type TokenAsker = (reason: string) => Promise<string | null>;

/**
 * Coalesces every 401 that arrives while the dialog is open into one question, so that ten failing
 * requests ask once.
 */
export function tokenGate(ask: TokenAsker): (reason: string) => Promise<string | null> {
  let pending: Promise<string | null> | null = null;
  return (reason) => {
    pending ??= ask(reason).then((token) => {
      pending = null;
      if (token) writeToken(token);
      return token;
    });
    return pending;
  };
}
