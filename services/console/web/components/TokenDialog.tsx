import { useEffect, useRef, useState } from 'preact/hooks';

export interface TokenRequest {
  reason: string;
  resolve(token: string | null): void;
}

/** Asks for the API token once; it is kept in sessionStorage only (lib/auth.ts). */
export function TokenDialog({ request, onDone }: { request: TokenRequest; onDone(token: string | null): void }) {
  const [value, setValue] = useState('');
  const input = useRef<HTMLInputElement>(null);
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
        <h2 id="token-title">API token</h2>
        <p>{request.reason} It is kept for this tab only.</p>
        <input
          ref={input}
          type="password"
          name="token"
          autocomplete="off"
          aria-label="API token"
          value={value}
          onInput={(e) => setValue(e.currentTarget.value)}
        />
        <div class="row">
          <button type="submit">Use token</button>
          <button type="button" class="link" onClick={() => onDone(null)}>
            Cancel
          </button>
        </div>
      </form>
    </div>
  );
}
