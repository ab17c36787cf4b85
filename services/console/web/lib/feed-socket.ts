import { FEED_CLOSE } from '../../../../protocol/feed.js';
import { parseServerMessage, type ServerMessage } from './feed-state.js';

export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'unauthorized';

export interface FeedSocketOptions {
  /** Absolute ws(s):// URL of `/v1/operator/ws`, without query. */
  url: string;
  /** Last seq applied, sent as `?since=` so that the server replays only what was missed. */
  lastSeq(): number | null;
  /** The feed history that seq belongs to, sent as `?epoch=`: a restarted store answers with a reset. */
  lastEpoch?(): string | null;
  token(): string | null;
  onMessage(msg: ServerMessage): void;
  onState(state: ConnectionState, detail?: string): void;
  /** Asks for a token after a 4401 close; resolves false when the operator gives up. */
  unauthorized(): Promise<boolean>;
  /**
   * Called when the socket closed before it opened: a browser hides the HTTP status of a refused
   * upgrade, so an HTTP call finds out whether it was a 401 (asking for the token on the way).
   * `unauthorized` means the operator gave no token: the socket then waits for `start()`.
   */
  probe(): Promise<'ok' | 'unauthorized'>;
  /** Reconnect delays in ms; the last one repeats. */
  backoff?: readonly number[];
  WebSocket?: typeof WebSocket;
}

const DEFAULT_BACKOFF = [500, 1000, 2000, 5000];

/**
 * The live feed with resume: reconnects after any close with `?since=<last seq>`, so the server replays
 * the gap in order (contract "WebSocket"); the reducer drops anything it already has.
 */
export class FeedSocket {
  private ws: WebSocket | null = null;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  private everLive = false;

  constructor(private readonly opts: FeedSocketOptions) {}

  /** Connects; also the retry after the operator cancelled the token question. */
  start(): void {
    if (this.ws || this.timer) return;
    this.stopped = false;
    this.attempt = 0;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.ws?.close(1000, 'console closed');
    this.ws = null;
  }

  private connect(): void {
    if (this.stopped) return;
    const params = new URLSearchParams();
    const since = this.opts.lastSeq();
    if (since !== null) params.set('since', String(since));
    const epoch = this.opts.lastEpoch?.() ?? null;
    if (since !== null && epoch !== null) params.set('epoch', epoch);
    const token = this.opts.token();
    if (token) params.set('token', token);
    const query = params.toString();
    const Impl = this.opts.WebSocket ?? WebSocket;
    const ws = new Impl(query ? `${this.opts.url}?${query}` : this.opts.url);
    this.ws = ws;
    let opened = false;
    this.opts.onState(this.everLive ? 'reconnecting' : 'connecting');
    ws.onopen = () => {
      // A resume with nothing missed gets no message until the next event: open means live.
      opened = true;
      this.attempt = 0;
      this.everLive = true;
      this.opts.onState('live');
    };
    ws.onmessage = (ev: MessageEvent) => {
      if (typeof ev.data !== 'string') return;
      const msg = parseServerMessage(ev.data);
      if (msg) this.opts.onMessage(msg);
    };
    ws.onclose = (ev: CloseEvent) => {
      if (this.ws !== ws) return;
      this.ws = null;
      void this.closed(ev.code, opened);
    };
  }

  private async closed(code: number, opened: boolean): Promise<void> {
    if (this.stopped) return;
    if (code === FEED_CLOSE.unauthorized) {
      this.opts.onState('unauthorized', 'The feed needs an API token.');
      if (!(await this.opts.unauthorized())) return;
      this.attempt = 0;
      this.connect();
      return;
    }
    this.opts.onState('reconnecting', code === FEED_CLOSE.tooSlow ? 'The console fell behind; resuming.' : undefined);
    if (!opened && (await this.opts.probe().catch(() => 'ok' as const)) === 'unauthorized') {
      this.opts.onState('unauthorized', 'The feed needs an API token.');
      return;
    }
    if (this.stopped) return;
    // 1013: the server cut a slow reader; it resumes at once. Anything else backs off.
    const backoff = this.opts.backoff ?? DEFAULT_BACKOFF;
    const delay = code === FEED_CLOSE.tooSlow ? 0 : backoff[Math.min(this.attempt, backoff.length - 1)]!;
    this.attempt++;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.connect();
    }, delay);
  }
}

export function feedUrl(loc: Location): string {
  return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}/v1/operator/ws`;
}
