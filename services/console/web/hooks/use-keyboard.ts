import { useEffect, useRef } from 'preact/hooks';

export interface KeyHandlers {
  move(step: 1 | -1): void;
  open(): void;
  answer(): void;
  escape(): void;
}

/**
 * j/k or arrows move through the queue, Enter opens, `a` answers, Esc closes the case view. Keys typed
 * into a field or pressed on a button keep their own meaning; nothing happens while `paused`.
 */
export function useKeyboard(handlers: KeyHandlers, paused: boolean): void {
  const ref = useRef(handlers);
  ref.current = handlers;
  useEffect(() => {
    if (paused) return;
    const onKey = (ev: KeyboardEvent) => {
      if (ev.defaultPrevented || ev.altKey || ev.ctrlKey || ev.metaKey) return;
      const t = ev.target as HTMLElement | null;
      if (t && /^(INPUT|SELECT|TEXTAREA|BUTTON|A)$/.test(t.tagName)) return;
      const h = ref.current;
      const keys: Record<string, () => void> = {
        j: () => h.move(1),
        ArrowDown: () => h.move(1),
        k: () => h.move(-1),
        ArrowUp: () => h.move(-1),
        Enter: h.open,
        a: h.answer,
        Escape: h.escape,
      };
      const act = keys[ev.key];
      if (!act) return;
      act();
      ev.preventDefault();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [paused]);
}
