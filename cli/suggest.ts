/** Edit distance (insertions, deletions, substitutions), for "did you mean …?". */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}

/**
 * The known name a mistyped one most likely meant, or undefined when none is close: a name that
 * contains what was typed (`highway-airbag`), else the nearest within a third of its length (`sos-ilness`).
 */
export function nearest(input: string, known: readonly string[]): string | undefined {
  const typed = input.toLowerCase();
  const containing = known.filter((k) => typed.length >= 3 && k.includes(typed)).sort((a, b) => a.length - b.length);
  if (containing[0]) return containing[0];
  let best: { name: string; d: number } | undefined;
  for (const name of known) {
    const d = distance(typed, name);
    if (d <= Math.max(2, Math.floor(name.length / 3)) && (!best || d < best.d)) best = { name, d };
  }
  return best?.name;
}
