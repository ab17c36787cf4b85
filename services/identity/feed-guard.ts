import type { WebSocket } from 'ws';
import { FEED_CLOSE } from '../../protocol/index.js';
import type { Clock, TimerHandle } from '../../lib/clock/index.js';
import type { IdentityService } from './identity-service.js';
import type { Principal } from './roles.js';

/** How often an open feed checks that its login token still holds (a logout or deletion on another instance). */
export const FEED_TOKEN_CHECK_MS = 30_000;

/**
 * Issue 11, roles on the feed: the upgrade is checked like any route (auth-plugin.ts); this keeps a
 * logged-in operator's feed only as long as the token. The socket is closed with 4401 (the console
 * then asks to log in) when the token expires, at once on a logout or account deletion on this
 * instance, and within FEED_TOKEN_CHECK_MS when it ended on another instance.
 */
export function guardFeedSocket(identity: IdentityService, clock: Clock, principal: Principal | null, socket: WebSocket): void {
  if (principal?.kind !== 'operator') return;
  let timer: TimerHandle | null = null;
  let done = false;
  const end = (reason: string) => {
    if (done) return;
    stop();
    socket.close(FEED_CLOSE.unauthorized, reason);
  };
  const arm = () => {
    const left = principal.expiresAt - clock.now();
    timer = clock.setTimer(Math.max(0, Math.min(left, FEED_TOKEN_CHECK_MS)), () => {
      timer = null;
      if (principal.expiresAt <= clock.now()) return end('the login token expired');
      identity.stillValid(principal).then(
        (valid) => (valid ? !done && arm() : end('logged out')),
        () => !done && arm(),
      );
    });
  };
  const offEnded = identity.onTokenEnded((ended) => {
    if (ended.tokenHash === principal.tokenHash || ended.username === principal.username) end('logged out');
  });
  const stop = () => {
    done = true;
    offEnded();
    if (timer) clock.clearTimer(timer);
    timer = null;
  };
  socket.on('close', stop);
  arm();
}
