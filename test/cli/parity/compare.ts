/** Deep comparison of two JSON documents: the first differing path, and a readable excerpt of both. */

export interface Difference {
  /** `$.plan.users[2].fields[0].new`, say. */
  path: string;
  readPath: unknown;
  enginePath: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The first difference in document order (object keys sorted), or null when the two are equal. */
export function firstDifference(a: unknown, b: unknown, path = "$"): Difference | null {
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if (i >= a.length || i >= b.length) return { path: `${path}[${i}]`, readPath: a[i], enginePath: b[i] };
      const d = firstDifference(a[i], b[i], `${path}[${i}]`);
      if (d) return d;
    }
    return null;
  }
  if (isObject(a) && isObject(b)) {
    for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      const at = /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
      if (!(key in a) || !(key in b)) return { path: at, readPath: a[key], enginePath: b[key] };
      const d = firstDifference(a[key], b[key], at);
      if (d) return d;
    }
    return null;
  }
  return Object.is(a, b) ? null : { path, readPath: a, enginePath: b };
}

const shown = (v: unknown) => (v === undefined ? "(missing)" : JSON.stringify(v));

/** Pretty JSON with object keys sorted: key order is not a difference. */
function sortedJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_key, v: unknown) =>
      isObject(v) ? Object.fromEntries(Object.entries(v).sort(([x], [y]) => (x < y ? -1 : 1))) : v,
    2,
  );
}

/** The two documents' pretty JSON (keys sorted) from a few lines before their first differing line. */
export function lineExcerpt(a: unknown, b: unknown, context = 3, shownLines = 12): string {
  const left = (sortedJson(a) ?? "(missing)").split("\n");
  const right = (sortedJson(b) ?? "(missing)").split("\n");
  let first = 0;
  while (first < left.length && left[first] === right[first]) first++;
  const from = Math.max(0, first - context);
  const side = (lines: string[], mark: string) =>
    lines.slice(from, first + shownLines).map((l, i) => `${from + i < first ? " " : mark} ${l}`);
  return [
    `--- read path (lines ${from + 1}…)`,
    ...side(left, "-"),
    `+++ engine path (lines ${from + 1}…)`,
    ...side(right, "+"),
  ].join("\n");
}

export function describeDifference(what: string, d: Difference): string {
  return `${what} differs at ${d.path}\n  read path:   ${shown(d.readPath)}\n  engine path: ${shown(d.enginePath)}`;
}
