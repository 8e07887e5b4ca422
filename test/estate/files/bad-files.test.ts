/**
 * The corpus of bad estate files: every case in bad/ (a file, or a folder read as one estate) declares in
 * `# expect: <file>[:<line>:<column>] <rule> [<field path> [also <file>:<line>:<column>]]` comments exactly
 * the errors it must produce; `-` as the file means an estate-wide error, `also` the other place a duplicate names. Huge inputs are generated here rather than committed.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { formatError, formatLocation, loadEstate } from "../../../estate/files/index.ts";
import type { EstateFileError } from "../../../estate/files/index.ts";
import { MAX_DOCUMENTS_PER_FILE, MAX_FILE_BYTES, MAX_TOTAL_BYTES } from "../../../estate/files/limits.ts";

const BAD = join(import.meta.dirname, "bad");

interface Expected {
  file: string;
  line?: number;
  column?: number;
  rule: string;
  path: string;
  also?: string;
}

function expectations(casePath: string): Expected[] {
  const files = statSync(casePath).isDirectory() ? readdirSync(casePath).map((n) => join(casePath, n)) : [casePath];
  const out: Expected[] = [];
  for (const file of files) {
    // latin1: the binary and non-UTF-8 cases declare their expectations too.
    for (const m of readFileSync(file, "latin1").matchAll(/^# expect: (\S+) (\S+)(?: (\S+))?(?: also (\S+))?$/gm)) {
      const [, where = "", rule = "", path = "", also] = m;
      const [name = "", line, column] = where.split(":");
      out.push({
        file: name,
        ...(line === undefined ? {} : { line: Number(line), column: Number(column) }),
        rule,
        path,
        ...(also === undefined ? {} : { also }),
      });
    }
  }
  return out;
}

function actual(e: EstateFileError): Expected {
  const also =
    e.related === undefined ? {} : { also: formatLocation({ ...e.related, file: basename(e.related.file) }) };
  return {
    file: e.file === undefined ? "-" : basename(e.file),
    ...(e.line === undefined ? {} : { line: e.line, column: e.column }),
    rule: e.rule,
    path: e.path,
    ...also,
  };
}

const byText = (a: Expected, b: Expected) => JSON.stringify(a).localeCompare(JSON.stringify(b));

async function expectRejected(paths: string[], expected: Expected[]): Promise<void> {
  const result = await loadEstate(paths);
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.errors.map(actual).sort(byText)).toEqual([...expected].sort(byText));
  for (const e of result.errors) {
    const text = formatError(e);
    expect(text.startsWith(`${formatLocation(e)}: `)).toBe(true);
    if (e.path !== "") expect(text).toContain(`: ${e.path}: `);
    expect(text).toContain(`(rule: ${e.rule})`);
    if (e.related !== undefined) expect(text).toContain(formatLocation(e.related));
  }
}

const cases = readdirSync(BAD).sort();

describe("bad estate files", () => {
  it("the corpus holds at least 35 cases, each declaring what it expects", () => {
    expect(cases.length).toBeGreaterThanOrEqual(35);
    for (const c of cases) expect(expectations(join(BAD, c)), c).not.toEqual([]);
  });

  it.each(cases)("rejects %s with exactly the declared errors", async (c) => {
    await expectRejected([join(BAD, c)], expectations(join(BAD, c)));
  });
});

describe("oversized input, generated", () => {
  const scratch = mkdtempSync(join(tmpdir(), "estate-files-"));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it("refuses a file over the size limit before parsing it", async () => {
    const file = join(scratch, "huge.yaml");
    // Valid YAML all the way through, so only the size can be the reason.
    writeFileSync(file, `# padding\n${"users: []\n".repeat(10)}${"#".repeat(MAX_FILE_BYTES)}\n`);
    await expectRejected([file], [{ file: "huge.yaml", rule: "too-large", path: "" }]);
  });

  it("stops reading when the files together pass the estate's size limit", async () => {
    const dir = join(scratch, "many-files");
    mkdirSync(dir);
    const count = Math.floor(MAX_TOTAL_BYTES / MAX_FILE_BYTES) + 1;
    const names = Array.from({ length: count }, (_, i) => `site-${String(i).padStart(2, "0")}.yaml`);
    for (const name of names) writeFileSync(join(dir, name), `a: 1\n${"#".repeat(MAX_FILE_BYTES - 10)}\n`);
    const result = await loadEstate([dir]);
    expect(
      result.ok ? [] : result.errors.filter((e) => e.rule === "too-large").map((e) => basename(e.file ?? "")),
    ).toEqual([names.at(-1)]);
  });

  it("refuses a file with too many documents", async () => {
    const file = join(scratch, "many.yaml");
    writeFileSync(file, "---\na: 1\n".repeat(MAX_DOCUMENTS_PER_FILE + 1));
    await expectRejected([file], [{ file: "many.yaml", rule: "too-many-documents", path: "" }]);
  });
});
