import {
  AppMessage,
  Command,
  LockoutMessage,
  describeIssues,
  validator,
  type AppMessage as AppMessageT,
  type Command as CommandT,
  type LockoutMessage as LockoutMessageT,
} from '../../protocol/index.js';

const commandCheck = validator(Command);
const lockoutCheck = validator(LockoutMessage);
const appMessageCheck = validator(AppMessage);

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string; commandId?: string };

function json(payload: Buffer): { ok: true; value: unknown } | { ok: false; reason: string } {
  try {
    return { ok: true, value: JSON.parse(payload.toString('utf8')) };
  } catch {
    return { ok: false, reason: 'payload is not JSON' };
  }
}

/** A command from the backend; an invalid one still yields its commandId (if any) so the car can NACK it. */
export function parseCommand(payload: Buffer): Parsed<CommandT> {
  const j = json(payload);
  if (!j.ok) return j;
  if (commandCheck.check(j.value)) return { ok: true, value: j.value };
  const raw = j.value as { commandId?: unknown; cmd?: unknown } | null;
  const commandId = typeof raw?.commandId === 'string' ? raw.commandId : undefined;
  const reason = `invalid command ${String(raw?.cmd)}: ${describeIssues(commandCheck.issues(j.value))}`;
  return commandId === undefined ? { ok: false, reason } : { ok: false, reason, commandId };
}

/** The retained lockout message; an empty retained payload means "no lockout". */
export function parseLockout(payload: Buffer, vin: string): Parsed<LockoutMessageT> {
  if (payload.length === 0) return { ok: true, value: { v: 1, vin, active: false, features: [], until: null } };
  const j = json(payload);
  if (!j.ok) return j;
  if (!lockoutCheck.check(j.value)) return { ok: false, reason: describeIssues(lockoutCheck.issues(j.value)) };
  if (j.value.vin !== vin) return { ok: false, reason: `lockout names VIN ${j.value.vin}` };
  return { ok: true, value: j.value };
}

/** D4.6: a message to the owner's app (`v1/vehicles/{vin}/app-messages`). */
export function parseAppMessage(payload: Buffer): Parsed<AppMessageT> {
  const j = json(payload);
  if (!j.ok) return j;
  return appMessageCheck.check(j.value) ? { ok: true, value: j.value } : { ok: false, reason: describeIssues(appMessageCheck.issues(j.value)) };
}
