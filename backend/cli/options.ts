// Command-line parsing shared by the backend's commands (node:util parseArgs, no extra dependency).
import { resolve } from "node:path";
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import type { StoreOptions } from "../store/index.ts";

export const DEFAULT_DATA_DIR = ".pbx-estate/data";

/** One subcommand of `pbx-estate-backend`. `run` resolves to the exit code (serve: once it is serving). */
export interface BackendCommand {
  name: string;
  summary: string;
  help: string;
  run(argv: string[], version: string): Promise<number>;
}

/** Wrong use of a command: printed with the command's help, exit 2. */
export class UsageError extends Error {}

/** `--database` is a postgres:// URL or an embedded data directory; default .pbx-estate/data. */
export function storeFrom(database: string | undefined): StoreOptions {
  if (database !== undefined && /^postgres(ql)?:\/\//.test(database)) return { kind: "postgres", url: database };
  if (database === "memory") return { kind: "embedded", dataDir: null };
  return { kind: "embedded", dataDir: resolve(database ?? DEFAULT_DATA_DIR) };
}

/** Strict parsing: an unknown option or a stray argument is a UsageError naming it. */
export function parseCommandArgs<T extends ParseArgsOptionsConfig>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === "string" && code.startsWith("ERR_PARSE_ARGS_")) throw new UsageError((error as Error).message);
    throw error;
  }
}
