/** Loading the estate named on the command line, failing with every problem as `file:line:column: …`. */
import { formatError, loadEstate } from "../../estate/files/index.ts";
import type { ResolvedEstate } from "../../estate/files/index.ts";
import { CliError, UsageError } from "./errors.ts";

export async function estateFrom(paths: readonly string[]): Promise<ResolvedEstate> {
  if (paths.length === 0) throw new UsageError("name the estate's files or folders");
  const loaded = await loadEstate(paths);
  if (!loaded.ok) {
    const count = loaded.errors.length;
    throw new CliError(
      `the estate files have ${count} problem${count === 1 ? "" : "s"}; nothing was contacted or changed\n${loaded.errors.map(formatError).join("\n")}`,
    );
  }
  return loaded.estate;
}
