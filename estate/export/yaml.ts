/** The exported estate as a YAML file an editor can check (the schema modeline first). */
import { dump } from "js-yaml";
import type { EstateDocument } from "../../schemas/estate.ts";

export function estateYaml(document: EstateDocument, schemaPath: string): string {
  const header = [
    `# yaml-language-server: $schema=${schemaPath}`,
    "# Exported by `pbx-estate export` from an account built by hand. Keys are identities: keep them when",
    "# renaming; a changed key removes the object and makes a new one.",
  ].join("\n");
  // Every scalar that could read as a number (extensions, area prefixes) is quoted by the dumper.
  return `${header}\n${dump(document, { lineWidth: 120, noRefs: true })}`;
}
