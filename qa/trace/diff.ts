/**
 * Path-by-path differences between two JSON values, for people: `cases[2].priority: expected 1, got 2`.
 * Arrays are compared index by index (outcome arrays are in a meaningful order).
 */
export function diffJson(expected: unknown, got: unknown, path = ''): string[] {
  const out: string[] = [];
  walk(expected, got, path, out);
  return out;
}

function walk(a: unknown, b: unknown, path: string, out: string[]): void {
  if (Object.is(a, b)) return;
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = Math.max(a.length, b.length);
    for (let i = 0; i < n; i++) {
      const p = `${path}[${i}]`;
      if (i >= b.length) out.push(`${p}: missing (expected ${show(a[i])})`);
      else if (i >= a.length) out.push(`${p}: unexpected ${show(b[i])}`);
      else walk(a[i], b[i], p, out);
    }
    return;
  }
  if (isObject(a) && isObject(b)) {
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      const p = path ? `${path}.${k}` : k;
      if (!(k in b)) out.push(`${p}: missing (expected ${show(a[k])})`);
      else if (!(k in a)) out.push(`${p}: unexpected ${show(b[k])}`);
      else walk(a[k], b[k], p, out);
    }
    return;
  }
  out.push(`${path || '(root)'}: expected ${show(a)}, got ${show(b)}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function show(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}

/** The first `max` lines of a diff, and how many more there are. */
export function formatDiff(lines: string[], max = 50): string {
  const shown = lines.slice(0, max);
  if (lines.length > max) shown.push(`... and ${lines.length - max} more`);
  return shown.join('\n');
}
