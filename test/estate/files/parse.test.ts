/** The YAML layer on its own: locations of keys and values, and input that must never get through. */
import { describe, expect, it } from "vitest";
import { parseEstateYaml } from "../../../estate/files/parse.ts";
import type { ParsedDocument } from "../../../estate/files/parse.ts";
import { formatError } from "../../../estate/files/index.ts";
import { formatPath, locate } from "../../../estate/files/source-map.ts";

function parseOk(text: string): ParsedDocument[] {
  const r = parseEstateYaml("f.yaml", text);
  if (!r.ok) throw new Error(r.errors.map(formatError).join("\n"));
  return r.documents;
}

describe("source locations", () => {
  const [doc] = parseOk('a:\n  b: "quoted"\n  list:\n    - x: 1\n    - plain\n---\nsecond: { k: v }\n');

  it("points a value at its first character, a quoted one at its opening quote", () => {
    expect(locate(doc!.source, ["a", "b"])).toEqual({ file: "f.yaml", line: 2, column: 6 });
    expect(locate(doc!.source, ["a", "list", 1])).toEqual({ file: "f.yaml", line: 5, column: 7 });
    expect(locate(doc!.source, ["a", "list", 0, "x"])).toEqual({ file: "f.yaml", line: 4, column: 10 });
  });

  it("points at the key when asked, and a missing field at its parent's key", () => {
    expect(locate(doc!.source, ["a", "b"], "key")).toEqual({ file: "f.yaml", line: 2, column: 3 });
    expect(locate(doc!.source, ["a", "missing"])).toEqual({ file: "f.yaml", line: 1, column: 1 });
    expect(locate(doc!.source, ["a", "list", 0, "y"])).toEqual({ file: "f.yaml", line: 4, column: 7 });
  });

  it("counts lines in later documents from the top of the file, and with CRLF endings", () => {
    const docs = parseOk("a: 1\r\n---\r\nsecond: { k: v }\r\n");
    expect(locate(docs[1]!.source, ["second", "k"])).toEqual({ file: "f.yaml", line: 3, column: 14 });
  });

  it("formats field paths as in the error messages", () => {
    expect(formatPath(["spec", "users", 2, "devices", 0, "name"])).toBe("spec.users[2].devices[0].name");
    expect(formatPath(["spec", "odd key"])).toBe('spec["odd key"]');
  });
});

describe("hostile input", () => {
  it("never touches Object.prototype, whatever the keys", () => {
    for (const text of ["__proto__: { polluted: true }\n", "a: { constructor: { prototype: { polluted: true } } }\n"]) {
      const r = parseEstateYaml("f.yaml", text);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.errors[0]?.rule).toBe("forbidden-key");
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("refuses an alias where it stands, as a value or as a key", () => {
    for (const [text, column] of [
      ["a: *nowhere\n", 4],
      ["*a : 1\n", 1],
    ] as const) {
      const r = parseEstateYaml("f.yaml", text);
      expect(r.ok ? [] : r.errors.map((e) => [e.rule, e.line, e.column])).toEqual([["no-aliases", 1, column]]);
    }
  });

  it("skips empty documents but refuses a file that has only those", () => {
    expect(parseOk("---\n---\na: 1\n---\n").map((d) => d.index)).toEqual([1]);
    const r = parseEstateYaml("f.yaml", "---\n---\n");
    expect(r.ok ? [] : r.errors.map((e) => e.rule)).toEqual(["empty"]);
  });
});

describe("formatError", () => {
  it("prints file:line:column, the field path, the message and the rule", () => {
    expect(
      formatError({
        file: "sites/london.yaml",
        line: 12,
        column: 7,
        path: "spec.users[0].extension",
        rule: "pattern",
        message: "must be 2 to 5 digits",
      }),
    ).toBe("sites/london.yaml:12:7: spec.users[0].extension: must be 2 to 5 digits (rule: pattern)");
    expect(formatError({ file: "big.yaml", path: "", rule: "too-large", message: "is too large" })).toBe(
      "big.yaml: is too large (rule: too-large)",
    );
    expect(formatError({ path: "", rule: "no-estate", message: "no Estate" })).toBe(
      "estate: no Estate (rule: no-estate)",
    );
  });
});
