/**
 * The wait before try `attempt + 1` after `attempt` failed tries (1, 2, ...): `minMs` doubling up to
 * `maxMs`. No jitter: one gateway retries one message at a time, so there is no herd to spread, and
 * fixed waits keep the tests and the logs readable.
 */
export function backoffMs(attempt: number, minMs: number, maxMs: number): number {
  const exp = Math.min(30, Math.max(0, attempt - 1));
  return Math.min(maxMs, minMs * 2 ** exp);
}
