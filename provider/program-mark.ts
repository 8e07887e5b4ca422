/**
 * The guard against an update whose program never ran. The Node SDK's inline-program server swallows a
 * gRPC failure of its first call to the engine: the user program is then never invoked, yet the run ends
 * "successfully" with nothing registered, and the engine takes every resource as removed. A runner that
 * drives the engine inline (the `pbx-estate` CLI) names a file in PBX_ESTATE_PROGRAM_MARK and has the
 * program create it before it registers anything; while that file is missing, this provider removes
 * nothing. Removals the engine makes for a program that ran (a replacement, a user taken out of the files)
 * all come after the program started, so they find the file. Without the variable (`pulumi up`, where the
 * program runs in its own language host) there is no guard and none is needed.
 */
import { existsSync } from "node:fs";

export const PROGRAM_MARK_ENV = "PBX_ESTATE_PROGRAM_MARK";

/** Throws when this operation's runner expects a program mark and the program never made it. */
export function refuseRemovalWithoutProgram(env: NodeJS.ProcessEnv = process.env): void {
  const mark = env[PROGRAM_MARK_ENV];
  if (mark === undefined || mark === "" || existsSync(mark)) return;
  throw new Error(
    "refused to remove this resource: the estate program did not run in this update (the Pulumi SDK lost its " +
      "connection to the engine before starting it), so the engine took every resource as removed. " +
      "Nothing was removed; run the apply again.",
  );
}
