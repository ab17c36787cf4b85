import type { Case, OperatorAction, RemoteOperation, TrackView } from '../../protocol/index.js';

export interface HttpResult<T = unknown> {
  status: number;
  body: T;
}

/**
 * The operator a logged-in token stands for, from the 403 a service with AUTH=on answers when a request
 * names another operator (`you are logged in as <name>; you cannot act as …`); undefined otherwise.
 */
export function loggedInAs(status: number, body: unknown): string | undefined {
  if (status !== 403 || typeof body !== 'object' || body === null) return undefined;
  const message = (body as { message?: unknown }).message;
  return typeof message === 'string' ? /^you are logged in as (\S+);/.exec(message)?.[1] : undefined;
}

/**
 * The operator's side over the contract's HTTP API (`POST /v1/cases/{id}/answer` …). Sends
 * `Authorization: Bearer <token>` when a token is given and names the operator with `X-Operator-Id`.
 * With AUTH=on the token decides who the operator is: an operator's login token acts as itself (the
 * first request that names another is told so and sent again as that operator); the service's
 * API_TOKEN acts for the operator named.
 */
export class OperatorClient {
  /** Requests sent and not yet answered in full (the trace-fixture recorder waits for them). */
  pending = 0;
  /** Requests made so far. */
  requests = 0;
  /** The operator the token is logged in as, once the service said so. */
  private loggedIn: string | undefined;

  constructor(
    private readonly baseUrl: string,
    private readonly opts: { token?: string | undefined; operatorId?: string } = {},
  ) {}

  async request<T = unknown>(method: 'GET' | 'POST' | 'PUT' | 'PATCH', path: string, body?: unknown, operatorId?: string): Promise<HttpResult<T>> {
    const first = await this.send<T>(method, path, body, this.loggedIn ?? operatorId ?? this.opts.operatorId ?? 'sim-operator');
    const self = this.loggedIn === undefined ? loggedInAs(first.status, first.body) : undefined;
    if (self === undefined) return first;
    this.loggedIn = self;
    return this.send<T>(method, path, body, self);
  }

  private async send<T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH', path: string, body: unknown, operatorId: string): Promise<HttpResult<T>> {
    const headers: Record<string, string> = { 'x-operator-id': operatorId };
    if (this.opts.token) headers.authorization = `Bearer ${this.opts.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    this.pending++;
    this.requests++;
    let res: Response;
    let text: string;
    try {
      res = await fetch(new URL(path, this.baseUrl), { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
      text = await res.text();
    } catch (err) {
      throw new Error(`HTTP ${method} ${path}: ${this.baseUrl} unreachable (${(err as Error).message})`);
    } finally {
      this.pending--;
    }
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON: keep the text */
    }
    return { status: res.status, body: parsed as T };
  }

  async cases(status: 'open' | 'closed'): Promise<Case[]> {
    const r = await this.request<Case[] | { cases: Case[] }>('GET', `/v1/cases?status=${status}`);
    if (r.status !== 200) throw new Error(`GET /v1/cases?status=${status}: ${r.status} ${JSON.stringify(r.body)}`);
    return Array.isArray(r.body) ? r.body : r.body.cases;
  }

  operator(caseId: string, action: OperatorAction, extra: { resolution?: string; operatorId?: string } = {}): Promise<HttpResult> {
    const body = action === 'close' ? { resolution: extra.resolution ?? 'other' } : {};
    return this.request('POST', `/v1/cases/${encodeURIComponent(caseId)}/${action}`, body, extra.operatorId);
  }

  remote(vin: string, operation: RemoteOperation): Promise<HttpResult> {
    return this.request('POST', `/v1/vehicles/${vin}/remote-operations`, { operation });
  }

  wifi(vin: string, enabled: boolean): Promise<HttpResult> {
    return this.request('PUT', `/v1/vehicles/${vin}/wifi`, { enabled });
  }

  /** Issue 12 part 8: `POST /v1/cases/{id}/dispatches` (D4.1, D4.4, D4.6). */
  dispatch(caseId: string, body: Record<string, unknown>): Promise<HttpResult> {
    return this.request('POST', `/v1/cases/${encodeURIComponent(caseId)}/dispatches`, body);
  }

  dispatchUpdate(caseId: string, dispatchId: string, body: Record<string, unknown>): Promise<HttpResult> {
    return this.request('PATCH', `/v1/cases/${encodeURIComponent(caseId)}/dispatches/${encodeURIComponent(dispatchId)}`, body);
  }

  /** D4.2: `POST /v1/cases/{id}/no-response`. */
  noResponse(caseId: string): Promise<HttpResult> {
    return this.request('POST', `/v1/cases/${encodeURIComponent(caseId)}/no-response`, {});
  }

  /** D4.6: the owner's tracking link, `GET /v1/track/{token}` (public). */
  track(token: string): Promise<HttpResult<TrackView>> {
    return this.request<TrackView>('GET', `/v1/track/${encodeURIComponent(token)}`);
  }
}
