import type { ClearedBy, VoiceSession } from '../../../protocol/index.js';
import type { Changes } from './changes.js';
import { releaseLockout } from './lockout.js';

/**
 * Clears a call: audio back on (D2.5), the car told, and any lockout it held starts its
 * LOCKOUT_MINUTES countdown from now (D3.5).
 */
export function clearCall(ch: Changes, session: VoiceSession, by: ClearedBy): void {
  ch.putSession({ ...session, state: 'cleared', audioMuted: false, clearedAt: ch.at, clearedBy: by });
  ch.setLockout(releaseLockout(ch.vehicle.lockout, session.id, ch.now, ch.ctx.lockoutMs));
  ch.command({ cmd: 'call.state', sessionId: session.id, state: 'cleared', audioMuted: false });
}
