/**
 * The conditions of the programme files: what makes a refusal, an exception to covered work, a benefit
 * or a guidance line apply. A `When` is a list of alternatives (any may hold); each alternative is a
 * map from a request field (`incident.towKm`, a dotted path of protocol/coverage.ts) to a matcher, and
 * all its entries must hold:
 *
 *   when:
 *     - { vehicle.category: commercial }               # equals
 *     - { vehicle.plate: [green, black] }               # one of
 *     - { incident.place: island, incident.island: { notIn: [Sado, Awaji] } }
 *     - { vehicle.weightKg: { atLeast: 3000 } }         # also atMost, above, below
 *     - { incident.cause: { present: false } }          # the field is absent
 *
 * Strings compare in any case, ignoring spaces and hyphens (`higashi-nomi` = `Higashi Nomi`). A list
 * field (`incident.work`, `incident.pets`) matches when one of its items does (`notIn`: none does).
 * A matcher on an absent field cannot be judged: the verdict then names the field as missing, unless
 * another entry already makes the alternative false, or another alternative holds.
 */
export type Scalar = string | number | boolean;
export interface MatcherOps {
  in?: Scalar[];
  notIn?: Scalar[];
  atLeast?: number;
  atMost?: number;
  above?: number;
  below?: number;
  present?: boolean;
}
export type Matcher = Scalar | Scalar[] | MatcherOps;
export type Condition = { [path: string]: Matcher | undefined };
export type When = Condition[];

/** true, false, or: cannot tell without these request fields. */
export type Verdict = boolean | { missing: string[] };

const norm = (v: Scalar): Scalar => (typeof v === 'string' ? v.toLowerCase().replace(/[\s-]+/g, '') : v);
const same = (a: Scalar, b: Scalar) => norm(a) === norm(b);

function valueAt(request: object, path: string): unknown {
  let v: unknown = request;
  for (const key of path.split('.')) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined;
  return v;
}

function oneOf(value: unknown, list: Scalar[]): boolean {
  const items = Array.isArray(value) ? (value as Scalar[]) : [value as Scalar];
  return items.some((item) => list.some((m) => same(item, m)));
}

function numberHolds(value: unknown, ops: MatcherOps): boolean {
  if (ops.atLeast === undefined && ops.atMost === undefined && ops.above === undefined && ops.below === undefined) return true;
  if (typeof value !== 'number') return false;
  return (ops.atLeast === undefined || value >= ops.atLeast) && (ops.atMost === undefined || value <= ops.atMost) && (ops.above === undefined || value > ops.above) && (ops.below === undefined || value < ops.below);
}

function matches(value: unknown, m: Matcher): boolean {
  if (Array.isArray(m)) return oneOf(value, m);
  if (typeof m !== 'object') return oneOf(value, [m]);
  return (m.present === undefined || m.present) && (m.in === undefined || oneOf(value, m.in)) && (m.notIn === undefined || !oneOf(value, m.notIn)) && numberHolds(value, m);
}

/** One alternative: every entry must hold. */
function conditionHolds(request: object, condition: Condition): Verdict {
  const missing: string[] = [];
  for (const [path, m] of Object.entries(condition)) {
    if (m === undefined) continue;
    const value = valueAt(request, path);
    if (value === undefined) {
      const onlyPresence = typeof m === 'object' && !Array.isArray(m) && m.present !== undefined && Object.keys(m).length === 1;
      if (onlyPresence) {
        if (m.present) return false;
        continue;
      }
      missing.push(path);
      continue;
    }
    if (!matches(value, m)) return false;
  }
  return missing.length > 0 ? { missing } : true;
}

/** Any alternative holds: true; else, if one could not be judged, the fields it needs; else false. */
export function holds(request: object, when: When): Verdict {
  const missing = new Set<string>();
  for (const condition of when) {
    const v = conditionHolds(request, condition);
    if (v === true) return true;
    if (v !== false) v.missing.forEach((p) => missing.add(p));
  }
  return missing.size > 0 ? { missing: [...missing] } : false;
}
