/**
 * A run killed mid-apply leaves the estate's stack locked. The next run is refused and names `pbx-estate
 * unlock`; unlock shows who held the lock, refuses while that run is still going on this host (unless
 * --force), and once it is gone releases the lock with the CLI's own state settings, after which an apply
 * converges.
 */
import { hostname } from "node:os";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startTestBackend, type TestBackend } from "../provider/harness.ts";
import { cliProject, described, type CliProject } from "./harness.ts";

/** Starts an apply that stops while one user's change is held by the backend, holding the stack's lock. */
async function holdingApply(backend: TestBackend, project: CliProject, estate: string, rename: [string, string]) {
  const file = join(estate, "estate.yaml");
  writeFileSync(file, readFileSync(file, "utf8").replace(`name: ${rename[0]}`, `name: ${rename[1]}`));
  await backend.faults({ rules: [{ method: "PATCH", path: "^/v1/users/", action: "hold", times: 1 }] });
  const run = project.start(["apply", estate, "--yes"]);
  for (let i = 0; i < 600 && backend.backend.faults?.heldCount !== 1; i++) await new Promise((r) => setTimeout(r, 100));
  expect(backend.backend.faults?.heldCount).toBe(1);
  return run;
}

/** Kills the run with everything it started (the engine included), as a lost CI runner would end. */
async function kill(run: ReturnType<CliProject["start"]>): Promise<void> {
  process.kill(-run.child.pid!, "SIGKILL");
  await run.done;
}

describe("unlock", () => {
  it("refuses while the holder runs here, releases with --force or once it is gone, and the next apply converges", async () => {
    await using backend = await startTestBackend();
    await using project = cliProject(backend);
    const estate = project.example("small-office");
    expect((await project.run(["apply", estate])).code).toBe(0);
    const notLocked = await project.run(["unlock", estate]);
    expect(notLocked.code, described(notLocked)).toBe(0);
    expect(notLocked.stdout).toContain("estate small-office is not locked");

    // A live holder: the next apply is refused and told about unlock; unlock itself refuses without --force.
    const first = await holdingApply(backend, project, estate, ["John Smith", "John A. Smith"]);
    const blocked = await project.run(["apply", estate, "--yes"]);
    expect(blocked.code, described(blocked)).toBe(1);
    expect(blocked.stderr).toContain("another run holds the lock on this estate's stack");
    expect(blocked.stderr).toMatch(new RegExp(`held by \\S+@${hostname()}, pid \\d+, since \\d{4}-`));
    expect(blocked.stderr).toContain("`pbx-estate unlock` with the same files");
    const refused = await project.run(["unlock", estate]);
    expect(refused.code, described(refused)).toBe(3);
    expect(refused.stderr).toMatch(
      new RegExp(`locked by \\S+@${hostname()}, pid \\d+, since \\d{4}-\\S+ \\(less than a minute ago\\)`),
    );
    expect(refused.stderr).toContain("still going on this host");
    expect(refused.stderr).toContain("Nothing was released.");
    const forced = await project.run(["unlock", estate, "--force"]);
    expect(forced.code, described(forced)).toBe(0);
    expect(forced.stdout).toMatch(/released the lock of estate small-office \(held by a run still going: pid \d+\)/);
    await kill(first);
    await backend.call("POST", "/__test/faults/release");

    // A killed holder: unlock shows it and releases it without --force.
    const second = await holdingApply(backend, project, estate, ["Priya Patel", "Priya K. Patel"]);
    await kill(second);
    await backend.call("POST", "/__test/faults/release");
    // The held change may have gone live before the kill; another change makes sure the next apply has work.
    const file = join(estate, "estate.yaml");
    writeFileSync(file, readFileSync(file, "utf8").replace("name: Priya K. Patel", "name: Priya R. Patel"));
    const stillLocked = await project.run(["apply", estate, "--yes"]);
    expect(stillLocked.code, described(stillLocked)).toBe(1);
    expect(stillLocked.stderr).toContain("pbx-estate unlock");
    const unlocked = await project.run(["unlock", estate]);
    expect(unlocked.code, described(unlocked)).toBe(0);
    expect(unlocked.stderr).toMatch(/locked by \S+, pid \d+, since /);
    expect(unlocked.stdout).toBe("released the lock of estate small-office\n");

    const converged = await project.run(["apply", estate, "--yes"]);
    expect(converged.code, described(converged)).toBe(0);
    const names = (await backend.call<{ name: string }[]>("GET", "/v1/users")).body.map((u) => u.name).sort();
    expect(names).toEqual(["John A. Smith", "Priya R. Patel"]);
    const plan = await project.run(["plan", estate]);
    expect(plan.stdout).toContain("No changes");
  }, 600_000);
});
