// One schema to the edges: the patterns of the zod schemas in schemas/ are written there and nowhere else.
// Everything else (the registrar, its Kamailio configuration, the provider, the CLI, scripts) imports them,
// so a rule changed in schemas/ cannot drift from a copy the change forgot.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { EMERGENCY_NUMBERS, EXTENSION_PATTERN } from "../../schemas/user.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));

/**
 * Places that hold a pattern's text for a reason of their own, not as a copy of the rule: each says why.
 * Keyed by file, then by the pattern's source.
 */
const NOT_COPIES: Record<string, Record<string, string>> = {
  "backend/http/app.ts": {
    "^[A-Za-z0-9._-]{1,64}$": "a request id a client may send: a rule of its own that reads like a SIP username",
  },
};

interface SchemaNode {
  _zod: { def: Record<string, unknown> };
}

function isSchema(value: unknown): value is SchemaNode {
  return (
    typeof value === "object" && value !== null && "_zod" in value && typeof (value as SchemaNode)._zod.def === "object"
  );
}

/** The `.regex()` patterns of one schema itself. */
function ownPatterns(schema: SchemaNode): RegExp[] {
  return ((schema._zod.def.checks ?? []) as SchemaNode[])
    .map((check) => check._zod.def as { format?: unknown; pattern?: unknown })
    .flatMap(({ format, pattern }) => (format === "regex" && pattern instanceof RegExp ? [pattern] : []));
}

/** Calls `visit` for a schema and every schema inside it (shapes, items, options, wrappers), once each. */
function walk(value: unknown, visit: (schema: SchemaNode) => void, seen = new Set<unknown>()): void {
  if (value === null || typeof value !== "object" || seen.has(value)) return;
  seen.add(value);
  if (isSchema(value)) {
    visit(value);
    return Object.values(value._zod.def).forEach((inner) => walk(inner, visit, seen));
  }
  Object.values(value).forEach((inner) => walk(inner, visit, seen));
}

/** Pattern source → the exported schema it belongs to (or, for a pattern no export has as its own, one that holds it). */
async function schemaPatterns(): Promise<Map<string, string>> {
  const exports: [string, unknown][] = [];
  for (const name of readdirSync(`${root}schemas`).filter((file) => file.endsWith(".ts") && file !== "index.ts")) {
    const module = (await import(`${root}schemas/${name}`)) as Record<string, unknown>;
    exports.push(
      ...Object.entries(module).map(([exportName, value]): [string, unknown] => [
        `schemas/${name} (${exportName})`,
        value,
      ]),
    );
  }
  const patterns = new Map<string, string>();
  for (const [where, value] of exports)
    if (isSchema(value)) for (const p of ownPatterns(value)) if (!patterns.has(p.source)) patterns.set(p.source, where);
  for (const [where, value] of exports)
    walk(value, (schema) =>
      ownPatterns(schema).forEach((p) => patterns.has(p.source) || patterns.set(p.source, `inside ${where}`)),
    );
  // Rules that are a list rather than a pattern, in the form a dial plan writes them.
  patterns.set(EMERGENCY_NUMBERS.join("|"), "schemas/user.ts (EMERGENCY_NUMBERS)");
  return patterns;
}

/** The texts that give a copy of `source` away: as written in a regex literal and in a string literal, with and without its anchors. */
function needles(source: string): string[] {
  const bare = source.replace(/^\^/, "").replace(/\$$/, "");
  const forms = [source, ...(bare !== source && bare.length >= 8 ? [bare] : [])];
  return [...new Set(forms.flatMap((form) => [form, form.replaceAll("\\", "\\\\")]))];
}

/**
 * Tracked TypeScript, JavaScript, shell and Kamailio configuration files outside schemas/. Tests are left
 * out: a test states the behaviour it expects in its own words, and would prove nothing by importing it.
 */
function trackedSources(): string[] {
  const listed = execFileSync("git", ["ls-files", "-z"], { cwd: root, encoding: "utf8" }).split("\0");
  return listed.filter(
    (file) => /\.(ts|mjs|js|sh|cfg)$/.test(file) && !/^(schemas|test)\//.test(file) && !/\.test\.ts$/.test(file),
  );
}

/** Every copy of a schema pattern outside schemas/, as `file: pattern (from where)`. */
export async function schemaPatternCopies(): Promise<string[]> {
  const patterns = await schemaPatterns();
  const copies: string[] = [];
  for (const file of trackedSources()) {
    const text = readFileSync(`${root}${file}`, "utf8");
    for (const [source, where] of patterns) {
      if (NOT_COPIES[file]?.[source] !== undefined) continue;
      if (needles(source).some((needle) => text.includes(needle)))
        copies.push(`${file}: ${source} (the pattern of ${where})`);
    }
  }
  return copies;
}

describe("the rule patterns of schemas/", () => {
  it("are found by walking the exported schemas", async () => {
    const patterns = await schemaPatterns();
    expect(patterns.has(EXTENSION_PATTERN.source)).toBe(true);
    expect(patterns.size).toBeGreaterThan(8);
  });

  it("appear nowhere outside schemas/: every other place imports them", async () => {
    expect(await schemaPatternCopies()).toEqual([]);
  });
});
