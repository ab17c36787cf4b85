import WebSocket from 'ws';
import type { Case } from '../../../protocol/index.js';

/**
 * The operator's side: one WebSocket client of `/v1/operator/ws` that stamps every `case.opened` with
 * `performance.now()` on arrival (the same clock the cars stamp their publishes with), by event id
 * (`case.opened`, or a `case.updated` whose `triggers` list it).
 */
export class FeedWatch {
  /** eventId -> arrival time (performance.now()) of the first feed message showing its case. */
  readonly openedAt = new Map<string, number>();
  readonly closeCodes: number[] = [];
  /** Feed messages received, of any type. */
  messages = 0;
  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const at = performance.now();
      this.messages++;
      const msg = JSON.parse(data.toString()) as { type: string; case?: Case };
      if ((msg.type !== 'case.opened' && msg.type !== 'case.updated') || !msg.case) return;
      // An event that joined a live call's case shows as that case's update, in its `triggers`.
      const triggers = (msg.case as { triggers?: Array<{ eventId?: unknown }> }).triggers;
      const ids = [msg.case.eventId, ...(Array.isArray(triggers) ? triggers.map((t) => t.eventId) : [])];
      for (const id of ids) if (typeof id === 'string' && !this.openedAt.has(id)) this.openedAt.set(id, at);
    });
    ws.on('close', (code) => this.closeCodes.push(code));
    ws.on('error', () => {});
  }

  static connect(httpUrl: string, timeoutMs = 10_000): Promise<FeedWatch> {
    const ws = new WebSocket(`${httpUrl.replace(/^http/, 'ws')}/v1/operator/ws`);
    const watch = new FeedWatch(ws);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`operator feed not open within ${timeoutMs} ms`)), timeoutMs);
      ws.once('open', () => {
        clearTimeout(t);
        resolve(watch);
      });
      ws.once('unexpected-response', (_req, res) => reject(new Error(`operator feed refused: HTTP ${res.statusCode}`)));
    });
  }

  close(): void {
    this.ws.terminate();
  }
}
