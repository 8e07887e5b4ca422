/** `pbx-estate unlock <paths…>`: releases the lock a killed run left on the estate's stack. */
import type { Command } from "../command.ts";
import { parseCommandArgs } from "../command.ts";
import { estateFrom } from "../estate-input.ts";
import { EXIT, RefusedError } from "../errors.ts";
import { resolveStateLocation } from "../state-location.ts";
import { describeHolder, isAliveHere, readLocks } from "../stack-lock.ts";

export const unlockCommand: Command = {
  name: "unlock",
  summary: "release the lock a killed run left on the estate's stack, after showing who held it",
  help: `Usage: pbx-estate unlock <files or folders…> [--force] [--stack <name>] [--backend-url <url>]

A run that was killed (a lost CI runner, kill -9) leaves the estate's stack locked, and every later plan,
apply or destroy is refused. unlock shows who held the lock (user, host, pid, since when) and releases it
with the CLI's own state settings. It refuses while the holder is still running on this host; a holder on
another host cannot be checked from here, so make sure that run is gone first. Releasing a live run's lock
lets a second run change the same objects at the same time. The backend's URL and token are not needed.

  --force               release the lock even while its run is still going on this host
  --stack <name>        stack name (default: the estate's metadata.name)
  --backend-url <url>   Pulumi state backend (default: PULUMI_BACKEND_URL, else .pbx-estate/state here)

Exit codes: 0 released (or no lock was held), 1 failure, 3 refused: the lock's run is still going.`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, {
      force: { type: "boolean", default: false },
      stack: { type: "string" },
      "backend-url": { type: "string" },
    });
    const estate = await estateFrom(positionals);
    const stackName = values.stack ?? estate.name;
    const state = resolveStateLocation({ projectDir: io.cwd, backendUrl: values["backend-url"], env: io.env });
    const locks = await readLocks(state.backendUrl, stackName);
    if (locks !== null && locks.length === 0) {
      io.out(`estate ${stackName} is not locked: nothing to release`);
      return EXIT.ok;
    }
    if (locks === null)
      io.err(
        `the state backend ${state.backendUrl} does not show who holds its locks here; releasing whatever it holds`,
      );
    for (const lock of locks ?? []) io.err(`locked by ${describeHolder(lock)}`);
    const alive = (locks ?? []).filter(isAliveHere);
    if (alive.length > 0 && !values.force) {
      throw new RefusedError(
        `the run holding the lock is still going on this host (pid ${alive.map((l) => l.pid).join(", ")}): wait for it to finish, or stop it ` +
          "first. --force releases its lock anyway, and then two runs may change the same objects at once. Nothing was released.",
      );
    }
    const { EngineSession } = await import("../engine-session.ts");
    await EngineSession.releaseLocks(stackName, state);
    io.out(
      `released the lock of estate ${stackName}${alive.length > 0 ? ` (held by a run still going: pid ${alive.map((l) => l.pid).join(", ")})` : ""}`,
    );
    return EXIT.ok;
  },
};
