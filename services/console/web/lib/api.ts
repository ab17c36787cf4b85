import type { Case, CaseWithSession, ErrorBody, VoiceSession } from '../../../../protocol/index.js';
import { readToken } from './auth.js';

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
  /** Called on 401; resolves with a new token to retry with, or null to give up. */
  unauthorized(reason: string): Promise<string | null>;
  fetch?: typeof fetch;
  base?: string;
}

export type CaseAction = 'answer' | 'hangup' | 'callback';

export function createApi(opts: ApiOptions) {
  const doFetch = opts.fetch ?? ((input, init) => fetch(input, init));
  const base = opts.base ?? '';

  async function request<T>(method: string, path: string, body?: unknown, retried = false): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json', 'x-operator-id': opts.operatorId() };
    const token = readToken();
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await doFetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch {
      throw new ApiError(0, 'network', 'The service cannot be reached. Is it running?');
    }
    if (res.status === 401 && !retried) {
      const fresh = await opts.unauthorized(token ? 'The token was refused.' : 'The service asks for an API token.');
      if (fresh) return request<T>(method, path, body, true);
    }
    const text = await res.text();
    const parsed: unknown = text ? safeJson(text) : undefined;
    if (!res.ok) {
      const err = (parsed ?? {}) as Partial<ErrorBody>;
      throw new ApiError(res.status, err.error ?? `http_${res.status}`, err.message ?? `${res.status} ${res.statusText}`);
    }
    return parsed as T;
  }

  const caseAction = (id: string, action: CaseAction) =>
    request<Case>('POST', `/v1/cases/${encodeURIComponent(id)}/${action}`, { operatorId: opts.operatorId() });

  return {
    openCases: () => request<Case[]>('GET', '/v1/cases?status=open'),
    getCase: (id: string) => request<CaseWithSession>('GET', `/v1/cases/${encodeURIComponent(id)}`),
    getSession: (id: string) => request<VoiceSession>('GET', `/v1/sessions/${encodeURIComponent(id)}`),
    answer: (id: string) => caseAction(id, 'answer'),
    hangup: (id: string) => caseAction(id, 'hangup'),
    callback: (id: string) => caseAction(id, 'callback'),
    close: (id: string, resolution: string) =>
      request<Case>('POST', `/v1/cases/${encodeURIComponent(id)}/close`, { resolution, operatorId: opts.operatorId() }),
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
