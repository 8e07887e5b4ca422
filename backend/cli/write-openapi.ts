// `npm run openapi` regenerates schemas/openapi.json from the routes' zod schemas (`--check` fails when stale).
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { startBackend } from "../server.ts";

export const OPENAPI_PATH = fileURLToPath(new URL("../../schemas/openapi.json", import.meta.url));

/** The document as committed: pretty-printed JSON with a trailing newline. */
export async function generateOpenApi(): Promise<string> {
  const backend = await startBackend({ store: { kind: "embedded", dataDir: null }, logLevel: "silent" });
  try {
    return `${JSON.stringify(backend.openapi, null, 2)}\n`;
  } finally {
    await backend.stop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const text = await generateOpenApi();
  if (process.argv.includes("--check")) {
    const committed = readFileSync(OPENAPI_PATH, "utf8");
    if (committed !== text) {
      process.stderr.write("schemas/openapi.json is stale: run npm run openapi\n");
      process.exit(1);
    }
  } else {
    writeFileSync(OPENAPI_PATH, text);
    process.stdout.write(`wrote ${OPENAPI_PATH}\n`);
  }
}
