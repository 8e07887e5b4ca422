// Safe YAML parsing: text → documents, each with a source map. Refuses what an estate never needs and an
// attacker would use: anchors and aliases, prototype-polluting keys, complex keys, deep nesting, many documents.
import type { EstateFileRule } from "../../schemas/problem.ts";
import {
  CORE_SCHEMA,
  EVENT_ID,
  SCALAR_STYLE,
  YAMLException,
  constructFromEvents,
  getScalarValue,
  parseEvents,
} from "js-yaml";
import type { Event, ScalarEvent } from "js-yaml";
import type { EstateFileError } from "./errors.ts";
import { formatLocation } from "./errors.ts";
import { MAX_DEPTH, MAX_DOCUMENTS_PER_FILE } from "./limits.ts";
import { formatPath, lineStarts, locationAt, pathKey } from "./source-map.ts";
import type { NodeOffsets, SourceMap } from "./source-map.ts";

export interface ParsedDocument {
  file: string;
  /** 0-based position among the file's documents. */
  index: number;
  value: unknown;
  source: SourceMap;
}

export type ParseResult = { ok: true; documents: ParsedDocument[] } | { ok: false; errors: EstateFileError[] };

const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

export function parseEstateYaml(file: string, text: string): ParseResult {
  const starts = lineStarts(text);
  let events: Event[];
  try {
    events = parseEvents(text, { filename: file, maxDepth: MAX_DEPTH });
  } catch (err) {
    return { ok: false, errors: [yamlError(file, starts, err)] };
  }

  const walker = new Walker(file, text, starts, events);
  const maps = walker.documents();
  if (walker.errors.length > 0) return { ok: false, errors: walker.errors };

  let values: unknown[];
  try {
    // maxAliases 0 repeats the walker's refusal; the walker reports it with a better message first.
    values = constructFromEvents(events, { source: text, filename: file, schema: CORE_SCHEMA, maxAliases: 0 });
  } catch (err) {
    return { ok: false, errors: [yamlError(file, starts, err)] };
  }

  const documents: ParsedDocument[] = [];
  values.forEach((value, index) => {
    const nodes = maps[index];
    // An empty document (a stray `---`, a file of comments) declares nothing.
    if (value === null || value === undefined || nodes === undefined) return;
    documents.push({ file, index, value, source: { file, lineStarts: starts, nodes } });
  });
  if (documents.length === 0)
    return { ok: false, errors: [{ file, path: "", rule: "empty", message: "holds no YAML document" }] };
  return { ok: true, documents };
}

function yamlError(file: string, starts: readonly number[], err: unknown): EstateFileError {
  if (err instanceof YAMLException) {
    const at = err.mark === undefined ? {} : locationAt(file, starts, err.mark.position);
    // js-yaml has no error codes; this reason is the one limit worth its own rule.
    if (err.reason.startsWith("nesting exceeded maxDepth"))
      return {
        file,
        ...at,
        path: "",
        rule: "too-deep",
        message: `nests lists and mappings more than ${MAX_DEPTH} levels deep`,
      };
    return { file, ...at, path: "", rule: "yaml-syntax", message: `invalid YAML: ${err.reason}` };
  }
  return {
    file,
    path: "",
    rule: "yaml-syntax",
    message: `invalid YAML: ${err instanceof Error ? err.message : String(err)}`,
  };
}

/** One pass over the parser's flat event stream, recording offsets by field path and refusing hostile shapes. */
class Walker {
  readonly errors: EstateFileError[] = [];
  private readonly file: string;
  private readonly text: string;
  private readonly starts: readonly number[];
  private readonly events: readonly Event[];
  private i = 0;
  private refusedAliases = false;
  private nodes = new Map<string, NodeOffsets>();

  constructor(file: string, text: string, starts: readonly number[], events: readonly Event[]) {
    this.file = file;
    this.text = text;
    this.starts = starts;
    this.events = events;
  }

  documents(): Map<string, NodeOffsets>[] {
    const out: Map<string, NodeOffsets>[] = [];
    while (this.i < this.events.length) {
      const ev = this.events[this.i++];
      if (ev?.type !== EVENT_ID.DOCUMENT) continue;
      if (out.length === MAX_DOCUMENTS_PER_FILE) {
        this.fail(-1, [], "too-many-documents", `holds more than ${MAX_DOCUMENTS_PER_FILE} YAML documents`);
        return out;
      }
      this.nodes = new Map();
      this.node([], -1);
      this.i++; // the document's POP
      out.push(this.nodes);
    }
    return out;
  }

  private node(path: PropertyKey[], keyOffset: number): void {
    const ev = this.events[this.i++];
    if (ev === undefined) return;
    switch (ev.type) {
      case EVENT_ID.SCALAR: {
        const value = scalarStart(ev);
        const plain =
          ev.style === SCALAR_STYLE.PLAIN && ev.valueStart >= 0
            ? this.text.slice(ev.valueStart, ev.valueEnd)
            : undefined;
        this.record(path, { value, key: keyOffset, ...(plain === undefined ? {} : { plain }) });
        this.refuseAnchor(ev.anchorStart, path);
        return;
      }
      case EVENT_ID.ALIAS:
        this.refuseAlias(ev.anchorStart, path);
        return;
      case EVENT_ID.SEQUENCE:
        this.record(path, { value: collectionStart(ev), key: keyOffset });
        this.refuseAnchor(ev.anchorStart, path);
        for (let index = 0; this.events[this.i]?.type !== EVENT_ID.POP && this.i < this.events.length; index++)
          this.node([...path, index], -1);
        this.i++;
        return;
      case EVENT_ID.MAPPING:
        this.record(path, { value: collectionStart(ev), key: keyOffset });
        this.refuseAnchor(ev.anchorStart, path);
        this.mapping(path);
        return;
      default:
        return;
    }
  }

  private mapping(path: PropertyKey[]): void {
    const seen = new Map<string, number>();
    while (this.i < this.events.length && this.events[this.i]?.type !== EVENT_ID.POP) {
      const keyEvent = this.events[this.i];
      if (keyEvent?.type === EVENT_ID.ALIAS) {
        this.refuseAlias(keyEvent.anchorStart, path);
        this.i++;
        this.skip(); // its value
        continue;
      }
      if (keyEvent?.type !== EVENT_ID.SCALAR) {
        const at = keyEvent !== undefined && "start" in keyEvent ? keyEvent.start : -1;
        this.fail(at, path, "complex-key", "mapping keys must be plain text, not lists or mappings");
        this.skip(); // the key
        this.skip(); // its value
        continue;
      }
      this.i++;
      const key = keyEvent.valueStart < 0 ? "" : getScalarValue(this.text, keyEvent);
      const keyOffset = scalarStart(keyEvent);
      this.refuseAnchor(keyEvent.anchorStart, [...path, key]);
      if (FORBIDDEN_KEYS.has(key)) {
        this.fail(keyOffset, [...path, key], "forbidden-key", `"${key}" is not allowed as a key`);
        this.skip();
        continue;
      }
      const first = seen.get(key);
      if (first !== undefined) {
        const was = locationAt(this.file, this.starts, first);
        this.fail(
          keyOffset,
          [...path, key],
          "duplicate-key",
          `key "${key}" appears twice in one mapping, first at ${formatLocation(was)}`,
          was,
        );
        this.skip();
        continue;
      }
      seen.set(key, keyOffset);
      this.node([...path, key], keyOffset);
    }
    this.i++;
  }

  /** Steps over one node and everything inside it. */
  private skip(): void {
    let depth = 0;
    do {
      const ev = this.events[this.i++];
      if (ev === undefined) return;
      if (ev.type === EVENT_ID.SEQUENCE || ev.type === EVENT_ID.MAPPING) depth++;
      else if (ev.type === EVENT_ID.POP) depth--;
    } while (depth > 0);
  }

  private record(path: PropertyKey[], offsets: NodeOffsets): void {
    this.nodes.set(pathKey(path), offsets);
  }

  // One report per file is enough: an alias bomb holds thousands of them.
  private refuseAnchor(anchorStart: number, path: PropertyKey[]): void {
    if (anchorStart < 0 || this.refusedAliases) return;
    this.refusedAliases = true;
    this.fail(
      anchorStart - 1,
      path,
      "no-aliases",
      "anchors (&name) are not allowed in estate files: an estate has no need for anchors and aliases",
    );
  }

  private refuseAlias(anchorStart: number, path: PropertyKey[]): void {
    if (this.refusedAliases) return;
    this.refusedAliases = true;
    this.fail(
      anchorStart - 1,
      path,
      "no-aliases",
      "aliases (*name) are not allowed in estate files: an estate has no need for anchors and aliases, and aliases can expand into huge documents",
    );
  }

  private fail(
    offset: number,
    path: PropertyKey[],
    rule: EstateFileRule,
    message: string,
    related?: EstateFileError["related"],
  ): void {
    const at = offset >= 0 ? locationAt(this.file, this.starts, offset) : {};
    this.errors.push({
      file: this.file,
      ...at,
      path: formatPath(path),
      rule,
      message,
      ...(related === undefined ? {} : { related }),
    });
  }
}

function scalarStart(ev: ScalarEvent): number {
  if (ev.tagStart >= 0) return ev.tagStart;
  if (ev.valueStart < 0) return -1;
  // Quoted scalars start at their opening quote, one before the value.
  return ev.style === SCALAR_STYLE.SINGLE_QUOTED || ev.style === SCALAR_STYLE.DOUBLE_QUOTED
    ? ev.valueStart - 1
    : ev.valueStart;
}

function collectionStart(ev: { start: number; tagStart: number }): number {
  return ev.tagStart >= 0 ? ev.tagStart : ev.start;
}
