import { Fragment } from 'preact';
import { useLayoutEffect, useRef } from 'preact/hooks';
import { useI18n } from '../i18n/index.js';
import type { Messages } from '../i18n/messages.js';

/** What the `?` overlay lists; `coming` keys are reserved for actions the service does not offer yet. */
export const KEY_HELP: { keys: string[]; what: keyof Messages['keys']; coming?: boolean }[] = [
  { keys: ['n', 'p'], what: 'nextPrev' },
  { keys: ['j', 'k', '↓', '↑'], what: 'moveSel' },
  { keys: ['Enter'], what: 'open' },
  { keys: ['a'], what: 'answer' },
  { keys: ['h'], what: 'hangup' },
  { keys: ['c'], what: 'callback' },
  { keys: ['x'], what: 'close' },
  { keys: ['/'], what: 'search' },
  { keys: ['1', '2', '3', '4', '5'], what: 'filters' },
  { keys: ['+', '-', '0'], what: 'zoom' },
  { keys: ['Esc'], what: 'escape' },
  { keys: ['?'], what: 'help' },
  { keys: ['d'], what: 'dispatch' },
  { keys: ['r'], what: 'noResponse' },
  { keys: ['m'], what: 'note' },
];

export function HelpOverlay({ onClose }: { onClose(): void }) {
  const { m } = useI18n();
  const close = useRef<HTMLButtonElement>(null);
  // A layout effect, so Esc pressed the moment the overlay shows already reaches its close button.
  useLayoutEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    close.current?.focus();
    return () => before?.focus?.();
  }, []);
  return (
    <div class="overlay" onClick={(e) => e.target === e.currentTarget && onClose()}>
      <div class="dialog help" role="dialog" aria-modal="true" aria-labelledby="help-title" data-testid="help">
        <h2 id="help-title">{m.helpTitle}</h2>
        <table>
          <tbody>
            {KEY_HELP.map((k) => (
              <tr key={k.what} class={k.coming ? 'coming' : ''}>
                <th scope="row">
                  {k.keys.map((key, i) => (
                    <Fragment key={key}>
                      {i > 0 && ' '}
                      <kbd>{key}</kbd>
                    </Fragment>
                  ))}
                </th>
                <td>
                  {m.keys[k.what]}
                  {k.coming && <span class="badge"> {m.coming}</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <div class="row">
          <button type="button" ref={close} onClick={onClose}>
            {m.helpClose}
          </button>
        </div>
      </div>
    </div>
  );
}
