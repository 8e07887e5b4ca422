/**
 * Two guards on removals, for runners that drive the engine inline (the `pbx-estate` CLI). Without their
 * variables (`pulumi up` on a program of one's own) neither applies.
 *
 * - The program mark (PBX_ESTATE_PROGRAM_MARK names a file the program creates before it registers
 *   anything). The Node SDK's inline-program server swallows a gRPC failure of its first call to the
 *   engine: the program is then never invoked, yet the run ends "successfully" with nothing registered, and
 *   the engine takes every resource as removed. While the mark is missing, nothing is removed. Removals of
 *   a program that ran (a replacement, a user taken out of the files) all come after it started.
 * - The planned removals (PBX_ESTATE_PLANNED_REMOVALS names a JSON list of ids): an apply or a destroy
 *   carries out the plan that was shown and checked against its limits, so it removes only the objects that
 *   plan removes or replaces. This also covers a program that started and lost the engine part-way, which
 *   the SDK keeps quiet about too: the engine would take what it never registered as removed.
 */
import { existsSync, readFileSync } from "node:fs";

export const PROGRAM_MARK_ENV = "PBX_ESTATE_PROGRAM_MARK";
export const PLANNED_REMOVALS_ENV = "PBX_ESTATE_PLANNED_REMOVALS";

/** One operation's planned removals, read once per plugin process (one process serves one operation). */
let planned: { path: string; ids: ReadonlySet<string> } | undefined;

function plannedRemovals(path: string): ReadonlySet<string> {
  if (planned?.path !== path) {
    let ids: unknown;
    try {
      ids = JSON.parse(readFileSync(path, "utf8"));
    } catch (error) {
      throw new Error(`refused to remove: the apply's planned removals cannot be read from ${path}: ${String(error)}`, {
        cause: error,
      });
    }
    if (!Array.isArray(ids) || !ids.every((id) => typeof id === "string")) {
      throw new Error(`refused to remove: the apply's planned removals in ${path} are not a list of ids`);
    }
    planned = { path, ids: new Set(ids) };
  }
  return planned.ids;
}

/** Throws when removing the object `id` would go beyond what this operation's runner allows. */
export function refuseUnplannedRemoval(id: string, env: NodeJS.ProcessEnv = process.env): void {
  const mark = env[PROGRAM_MARK_ENV];
  if (mark && !existsSync(mark)) {
    throw new Error(
      "refused to remove this resource: the estate program did not run in this update (the Pulumi SDK lost its " +
        "connection to the engine before starting it), so the engine took every resource as removed. " +
        "Nothing was removed; run the apply again.",
    );
  }
  const removals = env[PLANNED_REMOVALS_ENV];
  if (removals && !plannedRemovals(removals).has(id)) {
    throw new Error(
      `refused to remove ${id}: the plan this run carries out does not remove it, so the update went beyond ` +
        "its plan (the estate program may have lost the engine part-way). Run the command again, and review the new plan.",
    );
  }
}
