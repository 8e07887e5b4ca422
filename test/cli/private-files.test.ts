/**
 * What the backend and the CLI write is their user's only: the embedded store (its files hold HA1 digests),
 * the registrar's data, the CLI's state and the engine's home. Started from a shell whose umask lets
 * everyone read, every folder ends 0700 and every file 0600 (or tighter) after a real apply.
 */
import { readdirSync, readFileSync, lstatSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { exited, spawnServe } from "../backend/processes.ts";
import { cliProject, described } from "./harness.ts";

/** Every path under `root` that someone other than its owner may read, write or enter, with its mode. */
function openToOthers(root: string): string[] {
  const found: string[] = [];
  const visit = (path: string): void => {
    const stat = lstatSync(path);
    if (stat.isSymbolicLink()) return;
    if ((stat.mode & 0o077) !== 0) found.push(`${path} ${(stat.mode & 0o777).toString(8)}`);
    if (stat.isDirectory()) for (const entry of readdirSync(path)) visit(join(path, entry));
  };
  visit(root);
  return found;
}

describe("private files", () => {
  const scratch = mkdtempSync(join(tmpdir(), "pbx-private-"));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it("keeps the store, the registrar's data, the state and the engine's home private under a umask of 022", async () => {
    const umask = process.umask(0o022); // what the commands start with, inherited
    const home = join(scratch, "server", ".pbx-estate");
    mkdirSync(home, { recursive: true, mode: 0o755 });
    const serve = await spawnServe(["--database", join(home, "data"), "--registrar"]).finally(() =>
      process.umask(umask),
    );
    try {
      const token = readFileSync(serve.tokenFile!, "utf8").trim();
      await using project = cliProject({ url: serve.url, token });
      const estate = project.example("small-office");
      process.umask(0o022);
      const applied = await project.run(["apply", estate, "--yes"]).finally(() => process.umask(umask));
      expect(applied.code, described(applied)).toBe(0);

      const stateHome = join(project.dir, ".pbx-estate");
      expect(readdirSync(join(home, "data")).length).toBeGreaterThan(10);
      expect(readdirSync(join(home, "registrar")).length).toBeGreaterThan(0);
      expect(readdirSync(join(stateHome, "state"), { recursive: true }).length).toBeGreaterThan(0);
      expect(openToOthers(join(home, "data"))).toEqual([]);
      expect(openToOthers(join(home, "registrar"))).toEqual([]);
      expect(openToOthers(stateHome)).toEqual([]);
    } finally {
      serve.child.kill("SIGTERM");
      await exited(serve.child);
    }
  });
});
