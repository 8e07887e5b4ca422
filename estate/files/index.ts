// Reading an estate from YAML files: the one entry point, and the error format.
import type { ResolvedEstate } from "../../schemas/estate.ts";
import { assembleEstate } from "./assemble.ts";
import { compareErrors } from "./errors.ts";
import type { EstateFileError } from "./errors.ts";
import { MAX_TOTAL_BYTES } from "./limits.ts";
import { parseEstateYaml } from "./parse.ts";
import { expandPaths } from "./paths.ts";
import { readEstateFile } from "./read.ts";
import { validateDocument } from "./validate.ts";
import type { ValidatedDocument } from "./validate.ts";

export { formatError, formatLocation } from "./errors.ts";
export type { EstateFileError } from "./errors.ts";
export type { ResolvedDevice, ResolvedEstate, ResolvedUser, SourceLocation } from "../../schemas/estate.ts";

export type LoadResult = { ok: true; estate: ResolvedEstate } | { ok: false; errors: EstateFileError[] };

/**
 * Loads the estate declared by `paths` (files, or directories whose *.yaml / *.yml files are read in name
 * order). Every file is checked; on failure all problems come back, sorted by file, line and column.
 */
export async function loadEstate(paths: readonly string[]): Promise<LoadResult> {
  const expanded = await expandPaths(paths);
  if (!expanded.ok) return fail(expanded.errors);

  const errors: EstateFileError[] = [];
  const documents: ValidatedDocument[] = [];
  // Set when a file or document could not be read far enough to know its kind.
  let unknownKinds = false;
  let totalBytes = 0;
  for (const file of expanded.files) {
    const read = await readEstateFile(file);
    if (!read.ok) {
      errors.push(read.error);
      unknownKinds = true;
      continue;
    }
    totalBytes += read.bytes;
    if (totalBytes > MAX_TOTAL_BYTES) {
      errors.push({
        file,
        path: "",
        rule: "too-large",
        message: `brings the estate's files to more than ${MAX_TOTAL_BYTES} bytes together; not read further`,
      });
      return fail(errors);
    }
    const parsed = parseEstateYaml(file, read.text);
    if (!parsed.ok) {
      errors.push(...parsed.errors);
      unknownKinds = true;
      continue;
    }
    for (const document of parsed.documents) {
      const result = validateDocument(document);
      errors.push(...result.errors);
      if (result.validated !== undefined) documents.push(result.validated);
      else unknownKinds = true;
    }
  }

  const assembled = assembleEstate(documents);
  if (assembled.ok) return errors.length > 0 ? fail(errors) : { ok: true, estate: assembled.estate };
  // The unreadable file may be the one holding the Estate document: "no Estate" would only mislead.
  return fail([...errors, ...assembled.errors.filter((e) => !(unknownKinds && e.rule === "no-estate"))]);
}

function fail(errors: EstateFileError[]): LoadResult {
  return { ok: false, errors: [...errors].sort(compareErrors) };
}
