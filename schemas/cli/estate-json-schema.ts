// `npm run schemas` regenerates schemas/estate.schema.json from the zod schemas of the estate file
// (`--check` fails when the committed file is stale). Editors use it through the yaml-language-server modeline.
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { EstateFileDocument } from "../estate.ts";

export const ESTATE_JSON_SCHEMA_PATH = fileURLToPath(new URL("../estate.schema.json", import.meta.url));

/** The document as committed: pretty-printed JSON with a trailing newline. */
export function generateEstateJsonSchema(): string {
  // Draft 7 is what yaml-language-server understands best; "input" keeps optional-with-default fields optional.
  const schema = z.toJSONSchema(EstateFileDocument, { target: "draft-07", io: "input" });
  return `${JSON.stringify(schema, null, 2)}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const text = generateEstateJsonSchema();
  if (process.argv.includes("--check")) {
    if (readFileSync(ESTATE_JSON_SCHEMA_PATH, "utf8") !== text) {
      process.stderr.write("schemas/estate.schema.json is stale: run npm run schemas\n");
      process.exit(1);
    }
  } else {
    writeFileSync(ESTATE_JSON_SCHEMA_PATH, text);
    process.stdout.write(`wrote ${ESTATE_JSON_SCHEMA_PATH}\n`);
  }
}
