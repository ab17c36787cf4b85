/**
 * Failed logins are limited per username (one account guessed from many places) and per address (one
 * place guessing many accounts), counted in the store so that every instance sees the same counts.
 * A window starts at a key's first failure; past a limit, logins for that key are refused with 429
 * `rate_limited` until the window ends, without checking the password. A successful login clears the
 * username's count (not the address's: one good password must not reset a sprayer's budget).
 */
export interface LoginLimits {
  perUsername: number;
  perAddress: number;
  windowMs: number;
}

export const LOGIN_LIMITS: LoginLimits = { perUsername: 5, perAddress: 20, windowMs: 15 * 60_000 };

/** [username key, address key]: the store's failed-login counters for one attempt. */
export function loginLimitKeys(username: string, address: string): [string, string] {
  return [`user:${username}`, `addr:${address}`];
}
