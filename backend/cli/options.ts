// Command-line parsing shared by `serve` and `pbx-admin` (node:util parseArgs, no extra dependency).
import { resolve } from "node:path";
import type { StoreOptions } from "../store/index.ts";

export const DEFAULT_DATA_DIR = ".pbx-estate/data";

/** `--database` is a postgres:// URL or an embedded data directory; default .pbx-estate/data. */
export function storeFrom(database: string | undefined): StoreOptions {
  if (database !== undefined && /^postgres(ql)?:\/\//.test(database)) return { kind: "postgres", url: database };
  if (database === "memory") return { kind: "embedded", dataDir: null };
  return { kind: "embedded", dataDir: resolve(database ?? DEFAULT_DATA_DIR) };
}
