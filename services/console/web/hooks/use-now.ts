import { useEffect, useState } from 'preact/hooks';

/**
 * The service's clock as this page best knows it, re-read every `ms` so timers and countdowns tick.
 * Ages and countdowns compare the service's times (`openedAt`, `until`) with it, so a console PC whose
 * clock is off does not show a call as answered late or a lockout as over.
 */
export function useNow(ms: number, offsetMs: () => number): number {
  const [now, setNow] = useState(() => Date.now() + offsetMs());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now() + offsetMs()), ms);
    return () => clearInterval(id);
  }, [ms, offsetMs]);
  return now;
}
