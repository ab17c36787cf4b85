import { useCallback, useEffect, useState } from 'preact/hooks';
import type { VoiceSession } from '../../../../protocol/index.js';
import type { CaseActionName } from '../lib/actions.js';
import { ApiError, type Api } from '../lib/api.js';

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

  // Opening a case reads it with its voice session (GET /v1/cases/{id}).
  useEffect(() => {
    if (openId) void refresh(openId);
  }, [openId, refresh]);

  return { action, run };
}
