/** Exit codes of the `anshin` CLI. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** A user error (bad VIN, unknown type, bad scenario): printed without a stack, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
