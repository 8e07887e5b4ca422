/**
 * Where a user's or device's field is written: its line in the estate file, through the file's source map.
 * A field the user takes from its group's or the estate's defaults points at the user itself.
 */
import { readFileSync } from "node:fs";
import { parseEstateYaml } from "../../../estate/files/parse.ts";
import { formatPath, locate, locationAt, type FieldPath, type SourceMap } from "../../../estate/files/source-map.ts";
import type { SourceLocation } from "../../../schemas/estate.ts";

export interface FieldPlace {
  location: SourceLocation;
  /** `users[3].extension`: the field's path in its document, without the `spec.` every path starts with. */
  path: string;
}

interface ParsedFile {
  source: SourceMap;
  /** `line:column` of each value → its path. */
  paths: Map<string, FieldPath>;
}

export class FieldLocator {
  private readonly files = new Map<string, ParsedFile[]>();

  /** The place of `field` of the object declared at `at`; `field` undefined for the object itself. */
  place(at: SourceLocation, field: string | undefined): FieldPlace {
    for (const { source, paths } of this.parsed(at.file)) {
      const path = paths.get(`${at.line}:${at.column}`);
      if (!path) continue;
      const full = field === undefined ? path : [...path, field];
      const location = locate(source, full) ?? at;
      return { location, path: formatPath(full).replace(/^spec\./, "") };
    }
    return { location: at, path: field ?? "" };
  }

  private parsed(file: string): ParsedFile[] {
    let parsed = this.files.get(file);
    if (!parsed) {
      parsed = [];
      try {
        const result = parseEstateYaml(file, readFileSync(file, "utf8"));
        if (result.ok)
          for (const { source } of result.documents) {
            const paths = new Map<string, FieldPath>();
            for (const [key, offsets] of source.nodes) {
              if (offsets.value < 0) continue;
              const l = locationAt(file, source.lineStarts, offsets.value);
              const path = JSON.parse(key) as (string | number)[];
              if (!paths.has(`${l.line}:${l.column}`)) paths.set(`${l.line}:${l.column}`, path);
            }
            parsed.push({ source, paths });
          }
      } catch {
        // Not readable now (an estate given another way): the object's own location is the answer.
      }
      this.files.set(file, parsed);
    }
    return parsed;
  }
}
