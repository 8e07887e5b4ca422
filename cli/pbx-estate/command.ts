/** The shape of one CLI command: adding a command is one module exporting this, listed in commands.ts. */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "./errors.ts";
import type { Io } from "./io.ts";

export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Usage and options, printed by `--help`. */
  help: string;
  /** Runs the command with the arguments after its name; resolves to the exit code. */
  run(argv: string[], io: Io): Promise<number>;
}

type Options = NonNullable<ParseArgsConfig["options"]>;

/** `parseArgs` with positionals allowed and its errors turned into usage errors. */
export function parseCommandArgs<T extends Options>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}
