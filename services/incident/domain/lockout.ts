import { isoTime, type LockoutFeature, type LockoutView, type Trigger } from '../../../protocol/index.js';
import type { LockoutState } from './state.js';

/** D3.1 auto-notification; D3.2 SOS adds Wi-Fi and app-centre apps; D3.3 trouble locks nothing. */
const FEATURES_BY_TRIGGER: Record<Trigger, LockoutFeature[]> = {
  airbag: ['remote_operations', 'trouble_button', 'security_alarm'],
  impact: ['remote_operations', 'trouble_button', 'security_alarm'],
  sos: ['remote_operations', 'trouble_button', 'security_alarm', 'wifi', 'app_center'],
  trouble: [],
};

/** Features a trigger locks; none for a test call (contract: `test: true` triggers no lockout). */
export function lockedFeatures(trigger: Trigger, test: boolean): LockoutFeature[] {
  return test ? [] : FEATURES_BY_TRIGGER[trigger];
}

export function isLockoutActive(lockout: LockoutState, now: number): boolean {
  return lockout.holdingSessionIds.length > 0 || (lockout.until !== null && lockout.until > now);
}

/**
 * The lockout as last decided: active until the expiry decision clears it. Decisions publish this one,
 * so that the expiry itself is a change the car and the feed are told about.
 */
export function storedLockoutView(vin: string, lockout: LockoutState): LockoutView {
  const active = lockout.holdingSessionIds.length > 0 || lockout.until !== null;
  return {
    vin,
    active,
    features: active ? [...lockout.features] : [],
    until: lockout.holdingSessionIds.length === 0 && lockout.until !== null ? isoTime(lockout.until) : null,
  };
}

/** What the API enforces at `now` (D3.5: held by a call, `until` is not known yet), even if a timer is late. */
export function lockoutView(vin: string, lockout: LockoutState, now: number): LockoutView {
  return isLockoutActive(lockout, now) ? storedLockoutView(vin, lockout) : { vin, active: false, features: [], until: null };
}

export function isFeatureLocked(lockout: LockoutState, feature: LockoutFeature, now: number): boolean {
  return isLockoutActive(lockout, now) && lockout.features.includes(feature);
}

/**
 * D3.5: a new trigger adds its features and holds the lockout open until its call is cleared. A trigger
 * joining a call that already holds it (one call at a time) widens the features; the call holds once.
 */
export function holdLockout(lockout: LockoutState, sessionId: string, features: LockoutFeature[], now: number): LockoutState {
  if (features.length === 0) return lockout;
  const base = isLockoutActive(lockout, now) ? lockout.features : [];
  const held = lockout.holdingSessionIds.includes(sessionId);
  return {
    features: [...new Set([...base, ...features])],
    holdingSessionIds: held ? [...lockout.holdingSessionIds] : [...lockout.holdingSessionIds, sessionId],
    // Kept: once released, the end is the later of this and clear-down + LOCKOUT_MINUTES (never shortens).
    until: isLockoutActive(lockout, now) ? lockout.until : null,
  };
}

/** D3.5: the call is cleared; the lockout runs on until LOCKOUT_MINUTES after the last clear-down. */
export function releaseLockout(lockout: LockoutState, sessionId: string, now: number, lockoutMs: number): LockoutState {
  if (!lockout.holdingSessionIds.includes(sessionId)) return lockout;
  const end = now + lockoutMs;
  return {
    features: lockout.features,
    holdingSessionIds: lockout.holdingSessionIds.filter((id) => id !== sessionId),
    until: Math.max(lockout.until ?? end, end),
  };
}

/** The lockout after its end time: nothing locked. Unchanged when a call holds it or it is not due. */
export function expireLockout(lockout: LockoutState, now: number): LockoutState {
  if (isLockoutActive(lockout, now) || lockout.until === null) return lockout;
  return { features: [], holdingSessionIds: [], until: null };
}

export function sameView(a: LockoutView, b: LockoutView): boolean {
  return a.active === b.active && a.until === b.until && a.features.join() === b.features.join();
}
