import type { CallState, Command, LockoutFeature, LockoutMessage, NoticeCode, PowerMode } from '../../protocol/index.js';

/** One voice session as the car sees it, from `call.state` commands (D2.5). */
export interface CarCall {
  state: CallState;
  audioMuted: boolean;
}

export interface CarNotice {
  code: NoticeCode;
  until?: string | undefined;
  receivedAt: number;
}

/**
 * What the TCU knows, kept small so that a fleet of thousands fits in one process: call state per
 * session, lockout, Wi-Fi, notices and callbacks. Fed only from the backend's commands and the
 * retained lockout topic; the car never decides a lockout itself.
 */
export class CarState {
  powerMode: PowerMode = 'on';
  readonly calls = new Map<string, CarCall>();
  lockout: { active: boolean; features: LockoutFeature[]; until: string | null } = { active: false, features: [], until: null };
  wifiEnabled = true;
  wifiUntil: string | undefined;
  readonly notices: CarNotice[] = [];
  readonly callbacks: string[] = [];
  readonly remoteOperations: string[] = [];

  /** D2.5: the display audio stays muted while any call that asked for it is not cleared. */
  get audioMuted(): boolean {
    for (const c of this.calls.values()) if (c.state !== 'cleared' && c.audioMuted) return true;
    return false;
  }

  /** Sessions not yet cleared. */
  activeCalls(): string[] {
    return [...this.calls].filter(([, c]) => c.state !== 'cleared').map(([id]) => id);
  }

  /** A feature is locked while the lockout is active and its `until` (if known) is still ahead (D3.5). */
  isLocked(feature: LockoutFeature, nowMs: number): boolean {
    if (!this.lockout.active || !this.lockout.features.includes(feature)) return false;
    return this.lockout.until === null || Date.parse(this.lockout.until) > nowMs;
  }

  /** In-car Wi-Fi as the occupants see it: switched on and not held by a `wifi` lockout (D3.2). */
  wifiAvailable(nowMs: number): boolean {
    return this.wifiEnabled && !this.isLocked('wifi', nowMs);
  }

  applyLockout(msg: Pick<LockoutMessage, 'active' | 'features' | 'until'>): void {
    this.lockout = { active: msg.active, features: [...msg.features], until: msg.until };
  }

  /** Applies a validated command. Returns an error text when the car cannot carry it out. */
  apply(cmd: Command, nowMs: number): string | undefined {
    switch (cmd.cmd) {
      case 'call.state':
        this.calls.set(cmd.sessionId, { state: cmd.state, audioMuted: cmd.audioMuted });
        return undefined;
      case 'lockout':
        this.applyLockout(cmd);
        return undefined;
      case 'wifi':
        this.wifiEnabled = cmd.enabled;
        this.wifiUntil = cmd.until;
        return undefined;
      case 'notice':
        this.notices.push({ code: cmd.code, until: cmd.until, receivedAt: nowMs });
        if (this.notices.length > 32) this.notices.shift();
        return undefined;
      case 'callback':
        // D2.6: the centre calls back; the session's call.state commands follow separately.
        this.callbacks.push(cmd.sessionId);
        if (this.callbacks.length > 32) this.callbacks.shift();
        return undefined;
      case 'remote':
        if (this.isLocked('remote_operations', nowMs)) return 'remote_operations locked out'; // D3.1
        this.remoteOperations.push(cmd.operation);
        if (this.remoteOperations.length > 32) this.remoteOperations.shift();
        return undefined;
    }
  }
}
