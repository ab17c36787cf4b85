import { useEffect, useRef, useState } from 'preact/hooks';
import { useI18n, type AuthReason } from '../i18n/index.js';

export interface TokenRequest {
  reason: string;
  resolve(token: string | null): void;
}

/** Asks for the API token once; it is kept in sessionStorage only (lib/auth.ts). */
export function TokenDialog({ request, onDone }: { request: TokenRequest; onDone(token: string | null): void }) {
  const [value, setValue] = useState('');
  const input = useRef<HTMLInputElement>(null);
  const { m } = useI18n();
  useEffect(() => input.current?.focus(), []);
  return (
    <div class="overlay" role="dialog" aria-modal="true" aria-labelledby="token-title">
      <form
        class="dialog"
        onSubmit={(e) => {
          e.preventDefault();
          onDone(value.trim() || null);
        }}
      >
        <h2 id="token-title">{m.apiToken}</h2>
        <p>
          {m.reason[request.reason as AuthReason] ?? request.reason} {m.tokenKept}
        </p>
        <input
          ref={input}
          type="password"
          name="token"
          autocomplete="off"
          aria-label={m.apiToken}
          value={value}
          onInput={(e) => setValue(e.currentTarget.value)}
        />
        <div class="row">
          <button type="submit">{m.useToken}</button>
          <button type="button" class="link" onClick={() => onDone(null)}>
            {m.cancel}
          </button>
        </div>
      </form>
    </div>
  );
}
