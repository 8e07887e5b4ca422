// Which files make up an estate: the files given, and the *.yaml / *.yml files directly inside given directories.
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import type { EstateFileError } from "./errors.ts";
import { MAX_FILES } from "./limits.ts";

const YAML_FILE = /\.ya?ml$/;

export type ExpandResult = { ok: true; files: string[] } | { ok: false; errors: EstateFileError[] };

/** Files in the order given; a directory contributes its YAML files sorted by name, without recursing. */
export async function expandPaths(paths: readonly string[]): Promise<ExpandResult> {
  const files: string[] = [];
  const errors: EstateFileError[] = [];
  if (paths.length === 0)
    return { ok: false, errors: [{ path: "", rule: "no-files", message: "no estate files given" }] };
  for (const path of paths) {
    const info = await stat(path).catch(() => undefined);
    if (info === undefined)
      errors.push({ file: path, path: "", rule: "not-found", message: "no such file or directory" });
    else if (info.isDirectory()) {
      const names = (await readdir(path, { withFileTypes: true }))
        .filter((e) => YAML_FILE.test(e.name) && (e.isFile() || e.isSymbolicLink()))
        .map((e) => e.name)
        .sort();
      if (names.length === 0)
        errors.push({ file: path, path: "", rule: "no-files", message: "directory holds no *.yaml or *.yml file" });
      files.push(...names.map((n) => join(path, n)));
    } else if (info.isFile()) files.push(path);
    else errors.push({ file: path, path: "", rule: "not-a-file", message: "is neither a file nor a directory" });
  }
  const unique = [...new Set(files)];
  if (unique.length > MAX_FILES)
    errors.push({
      path: "",
      rule: "too-many-files",
      message: `an estate has at most ${MAX_FILES} files; ${unique.length} given`,
    });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, files: unique };
}
