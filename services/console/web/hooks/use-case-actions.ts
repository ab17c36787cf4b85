import { useCallback, useEffect, useState } from 'preact/hooks';
import type { VoiceSession } from '../../../../protocol/index.js';
import type { CaseActionName } from '../lib/actions.js';
import { ApiError, type Api } from '../lib/api.js';

/** Issue 14 part 2: what the operator does to work the case besides the call. */
export type WorkKind = 'dispatch' | 'update' | 'noResponse' | 'note' | 'release' | 'relay';

export interface WorkState {
  caseId: string;
  busy: WorkKind | null;
  /** Which action the last error or result belongs to. */
  kind?: WorkKind;
  error: string | null;
  errorCode?: string;
}

export interface ActionState {
  caseId: string;
  busy: CaseActionName | null;
  /** The service's own words, or `network` when it could not be reached, or `choose_resolution`. */
  error: string | null;
  errorCode?: string;
}

/**
 * Case actions over HTTP (contract routes). The feed brings each result; re-reading the case picks up
 * the session at once even if the feed is a moment behind. The service's refusal is shown as it words it.
 */
export function useCaseActions(api: Api, openId: string | null, addSession: (s: VoiceSession) => void) {
  const [action, setAction] = useState<ActionState>({ caseId: '', busy: null, error: null });

  const refresh = useCallback(
    (caseId: string) =>
      api
        .getCase(caseId)
        .then((c) => c.session && addSession(c.session))
        .catch(() => undefined),
    [api, addSession],
  );

  const run = useCallback(
    async (caseId: string, name: CaseActionName, resolution?: string) => {
      if (name === 'close' && !resolution) {
        setAction({ caseId, busy: null, error: 'Choose a resolution first.', errorCode: 'choose_resolution' });
        return;
      }
      setAction({ caseId, busy: name, error: null });
      try {
        if (name === 'close') await api.close(caseId, resolution!);
        else await api[name](caseId);
        setAction({ caseId, busy: null, error: null });
      } catch (err) {
        setAction({ caseId, busy: null, error: err instanceof Error ? err.message : String(err), errorCode: err instanceof ApiError ? err.code : undefined });
      }
      await refresh(caseId);
    },
    [api, refresh],
  );

  const [work, setWork] = useState<WorkState>({ caseId: '', busy: null, error: null });
  /**
   * Runs one of the case's work actions (dispatch, status, no response, note, release); resolves with its
   * result, or null when the service refused (the refusal is shown in its words). The feed brings the
   * changed case (`case.updated`).
   */
  const runWork = useCallback(async <T>(caseId: string, kind: WorkKind, call: () => Promise<T>): Promise<T | null> => {
    setWork({ caseId, busy: kind, kind, error: null });
    try {
      const result = await call();
      setWork({ caseId, busy: null, kind, error: null });
      return result;
    } catch (err) {
      setWork({ caseId, busy: null, kind, error: err instanceof Error ? err.message : String(err), errorCode: err instanceof ApiError ? err.code : undefined });
      return null;
    }
  }, []);

  // Opening a case reads it with its voice session (GET /v1/cases/{id}).
  useEffect(() => {
    if (openId) void refresh(openId);
  }, [openId, refresh]);

  return { action, run, work, runWork };
}
