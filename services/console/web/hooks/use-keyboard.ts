import { useEffect, useRef } from 'preact/hooks';

/** Key -> action. Keys are `KeyboardEvent.key` values (`?`, `/`, `j`, `ArrowDown`, `Escape`, …). */
export type KeyMap = Record<string, () => void>;

/**
 * The console's keyboard (issue 14 part 7; the `?` overlay lists it). Keys typed into a field keep their
 * own meaning; on a button or link, Enter and Space keep theirs. Nothing happens while `paused` (a
 * login or token dialog is open); `always` keys (Escape, ?) work while the help overlay is open.
 */
export function useKeyboard(keys: KeyMap, paused: boolean): void {
  const ref = useRef(keys);
  ref.current = keys;
  useEffect(() => {
    if (paused) return;
    const onKey = (ev: KeyboardEvent) => {
      if (ev.defaultPrevented || ev.altKey || ev.ctrlKey || ev.metaKey || ev.isComposing) return;
      const t = ev.target as HTMLElement | null;
      if (t && (/^(INPUT|SELECT|TEXTAREA)$/.test(t.tagName) || t.isContentEditable)) return;
      if (t && /^(BUTTON|A|SUMMARY)$/.test(t.tagName) && (ev.key === 'Enter' || ev.key === ' ')) return;
      const act = ref.current[ev.key];
      if (!act) return;
      act();
      ev.preventDefault();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [paused]);
}
