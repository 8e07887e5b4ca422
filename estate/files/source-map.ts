// Where each value and key of a parsed document sits in its file: field paths to 1-based line:column.
import type { SourceLocation } from "../../schemas/estate.ts";

export type FieldPath = readonly PropertyKey[];

/** Offsets into the file's text; -1 when unknown (an empty value, a sequence item has no key). */
export interface NodeOffsets {
  value: number;
  key: number;
  /** The source text of a plain scalar, to suggest quoting when YAML read it as a number or boolean. */
  plain?: string;
}

export interface SourceMap {
  file: string;
  lineStarts: readonly number[];
  nodes: ReadonlyMap<string, NodeOffsets>;
}

export function pathKey(path: FieldPath): string {
  return JSON.stringify(path.map((p) => (typeof p === "symbol" ? String(p) : p)));
}

/** `spec.users[2].devices[0].name` */
export function formatPath(path: FieldPath): string {
  let out = "";
  for (const p of path) {
    if (typeof p === "number") out += `[${p}]`;
    else {
      const name = String(p);
      out += /^[A-Za-z_][A-Za-z0-9_-]*$/.test(name) ? `${out === "" ? "" : "."}${name}` : `[${JSON.stringify(name)}]`;
    }
  }
  return out;
}

/** Offsets of every line start; a line ends at \n, \r\n or a lone \r, as in YAML. */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) starts.push(i + 1);
  }
  return starts;
}

export function locationAt(file: string, starts: readonly number[], offset: number): SourceLocation {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] ?? 0) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { file, line: lo + 1, column: offset - (starts[lo] ?? 0) + 1 };
}

/**
 * The location for a problem at `path`. An existing value is pointed at itself (`at: "key"` points at its
 * key instead, for unknown fields); a missing one at the nearest existing ancestor's key, so a missing
 * field is reported where its parent object is named.
 */
export function locate(map: SourceMap, path: FieldPath, at: "value" | "key" = "value"): SourceLocation | undefined {
  const own = map.nodes.get(pathKey(path));
  if (own !== undefined) {
    const offset = at === "key" ? pick(own.key, own.value) : pick(own.value, own.key);
    if (offset >= 0) return locationAt(map.file, map.lineStarts, offset);
  }
  for (let n = path.length - 1; n >= 0; n--) {
    const parent = map.nodes.get(pathKey(path.slice(0, n)));
    if (parent === undefined) continue;
    const offset = pick(parent.key, parent.value);
    if (offset >= 0) return locationAt(map.file, map.lineStarts, offset);
  }
  return undefined;
}

export function plainSource(map: SourceMap, path: FieldPath): string | undefined {
  return map.nodes.get(pathKey(path))?.plain;
}

function pick(first: number, second: number): number {
  return first >= 0 ? first : second;
}
