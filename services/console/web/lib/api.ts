import type { Case, CaseWithSession, CreateDispatchBody, Dispatch, ErrorBody, LoginResponse, NoResponseResult, Relay, Stats, TrackView, UpdateDispatchBody, VoiceSession } from '../../../../protocol/index.js';
import { noteAuthMode, readLogin, readToken, writeLogin, type AuthMode } from './auth.js';

/** An HTTP error as the service words it (`{error, message}`), for the operator to read. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export type { CaseWithSession };

export interface ApiOptions {
  operatorId(): string;
  /**
   * Called on 401; resolves with a new token to retry with, or null to give up. `mode` is what the
   * service asked for: `login` (AUTH=on: show the login form) or `token` (the API token dialog).
   */
  unauthorized(reason: string, mode?: AuthMode): Promise<string | null>;
  fetch?: typeof fetch;
  base?: string;
}

export type CaseAction = 'answer' | 'hangup' | 'callback';

export function createApi(opts: ApiOptions) {
  const doFetch = opts.fetch ?? ((input, init) => fetch(input, init));
  const base = opts.base ?? '';

  /** `body` may be a function: it is built again for a retry (after a login the operator it names changes). */
  async function request<T>(method: string, path: string, body?: unknown, retried = false): Promise<T> {
    const payload: unknown = typeof body === 'function' ? (body as () => unknown)() : body;
    const headers: Record<string, string> = { accept: 'application/json', 'x-operator-id': operatorId() };
    const token = readToken();
    if (token) headers.authorization = `Bearer ${token}`;
    if (payload !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await doFetch(base + path, { method, headers, body: payload === undefined ? undefined : JSON.stringify(payload) });
    } catch {
      throw new ApiError(0, 'network', 'The service cannot be reached. Is it running?');
    }
    const text = await res.text();
    const parsed: unknown = text ? safeJson(text) : undefined;
    if (res.status === 401 && !retried) {
      // Issue 11: a 401 that names the login means AUTH=on: operators log in rather than paste a token.
      const mode: AuthMode = (parsed as { login?: unknown } | undefined)?.login ? 'login' : 'token';
      noteAuthMode(mode);
      if (mode === 'login' && readLogin()) writeLogin(null);
      // A reason code (i18n AuthReason): the dialog words it in the console's language.
      const reason = mode === 'login' ? (token ? 'sessionEnded' : 'loginToWork') : token ? 'tokenRefused' : 'tokenAsked';
      const fresh = await opts.unauthorized(reason, mode);
      if (fresh) return request<T>(method, path, body, true);
    }
    if (!res.ok) {
      const err = (parsed ?? {}) as Partial<ErrorBody>;
      throw new ApiError(res.status, err.error ?? `http_${res.status}`, err.message ?? `${res.status} ${res.statusText}`);
    }
    return parsed as T;
  }

  // Logged in (AUTH=on), the operator is the login's: naming anyone else would be refused with 403.
  const operatorId = () => readLogin()?.operator.username ?? opts.operatorId();

  const caseAction = (id: string, action: CaseAction) =>
    request<Case>('POST', `/v1/cases/${encodeURIComponent(id)}/${action}`, () => ({ operatorId: operatorId() }));

  return {
    openCases: () => request<Case[]>('GET', '/v1/cases?status=open'),
    getCase: (id: string) => request<CaseWithSession>('GET', `/v1/cases/${encodeURIComponent(id)}`),
    getSession: (id: string) => request<VoiceSession>('GET', `/v1/sessions/${encodeURIComponent(id)}`),
    answer: (id: string) => caseAction(id, 'answer'),
    hangup: (id: string) => caseAction(id, 'hangup'),
    callback: (id: string) => caseAction(id, 'callback'),
    close: (id: string, resolution: string) =>
      request<Case>('POST', `/v1/cases/${encodeURIComponent(id)}/close`, () => ({ resolution, operatorId: operatorId() })),
    // Issue 14 part 2: working the case (contract "Dispatches", "No response"; notes and release are extensions).
    dispatch: (id: string, body: Omit<CreateDispatchBody, 'operatorId'>) =>
      request<Dispatch>('POST', `/v1/cases/${encodeURIComponent(id)}/dispatches`, () => ({ ...body, operatorId: operatorId() })),
    updateDispatch: (id: string, dispatchId: string, body: Omit<UpdateDispatchBody, 'operatorId'>) =>
      request<Dispatch>('PATCH', `/v1/cases/${encodeURIComponent(id)}/dispatches/${encodeURIComponent(dispatchId)}`, () => ({ ...body, operatorId: operatorId() })),
    noResponse: (id: string) => request<NoResponseResult>('POST', `/v1/cases/${encodeURIComponent(id)}/no-response`, () => ({ operatorId: operatorId() })),
    addNote: (id: string, text: string) => request<Case>('POST', `/v1/cases/${encodeURIComponent(id)}/notes`, () => ({ text, operatorId: operatorId() })),
    release: (id: string) => request<Case>('POST', `/v1/cases/${encodeURIComponent(id)}/release`, () => ({ operatorId: operatorId() })),
    // Contract "Message relay" (D4.5): a trouble case with transport arranged; the phone is called once.
    relay: (id: string, message: string) => request<Relay>('POST', `/v1/cases/${encodeURIComponent(id)}/relay`, () => ({ message, operatorId: operatorId() })),
    phoneResult: (id: string, relayId: string, answered: boolean) =>
      request<Relay>('POST', `/v1/cases/${encodeURIComponent(id)}/relay/${encodeURIComponent(relayId)}/phone-result`, () => ({ answered, operatorId: operatorId() })),
    /**
     * Contract "Service-car arrival" (D4.6): where a road-service dispatch's service car is and its ETA,
     * by the dispatch's `trackToken` (the owner's link; public, so no 401 is ever asked about).
     */
    track: (token: string) => request<TrackView>('GET', `/v1/track/${encodeURIComponent(token)}`),
    /** Issue 14 part 4: `GET /v1/stats` (supervisor with AUTH=on). */
    stats: () => request<Stats>('GET', '/v1/stats'),
    /** Ends the login token on the service and forgets it here. */
    logout: async () => {
      await request<unknown>('POST', '/v1/auth/logout').catch(() => undefined);
      writeLogin(null);
    },
  };
}

export type Api = ReturnType<typeof createApi>;

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * `POST /v1/auth/login` (issue 11): keeps the login for this tab and resolves with it; throws ApiError
 * with the service's words (`invalid_credentials`, `rate_limited`) otherwise.
 */
export async function logIn(username: string, password: string, doFetch: typeof fetch = (input, init) => fetch(input, init), base = ''): Promise<LoginResponse> {
  let res: Response;
  try {
    res = await doFetch(`${base}/v1/auth/login`, { method: 'POST', headers: { accept: 'application/json', 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  } catch {
    throw new ApiError(0, 'network', 'The service cannot be reached. Is it running?');
  }
  const parsed = safeJson(await res.text()) as Partial<ErrorBody> & Partial<LoginResponse>;
  if (!res.ok || !parsed?.token) throw new ApiError(res.status, parsed?.error ?? `http_${res.status}`, parsed?.message ?? `${res.status} ${res.statusText}`);
  const login = parsed as LoginResponse;
  writeLogin(login);
  return login;
}
