import { useEffect, useState } from 'preact/hooks';

/** The wall clock, re-read every `ms` so timers and countdowns tick. */
export function useNow(ms: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(id);
  }, [ms]);
  return now;
}
