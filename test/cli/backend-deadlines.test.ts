/**
 * A backend that stops answering is reported within the run's deadlines, in words: a read waits at most
 * PBX_READ_TIMEOUT seconds, retries included; a write that got no answer within PBX_WRITE_TIMEOUT is reported
 * as an unknown outcome to run again, and running it again converges with nothing ordered twice.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { exited, spawnServe } from "../backend/processes.ts";
import { startTestBackend } from "../provider/harness.ts";
import { cliProject, described } from "./harness.ts";

describe("backend deadlines", () => {
  it("reports a backend frozen with SIGSTOP within the read deadline, then works once it runs again", async () => {
    const data = mkdtempSync(join(tmpdir(), "pbx-frozen-"));
    const serve = await spawnServe(["--database", join(data, "data")]);
    try {
      await using project = cliProject({ url: serve.url, token: readFileSync(serve.tokenFile!, "utf8").trim() });
      const estate = project.example("small-office");
      const applied = await project.run(["apply", estate]);
      expect(applied.code, described(applied)).toBe(0);

      serve.child.kill("SIGSTOP");
      const frozen = await project.run(["drift", estate], { PBX_READ_TIMEOUT: "3" });
      serve.child.kill("SIGCONT");
      expect(frozen.code, described(frozen)).toBe(1);
      expect(frozen.stderr).toContain("the provisioning backend did not answer within 3 s");
      expect(frozen.stderr).toContain("PBX_READ_TIMEOUT");
      expect(frozen.stderr).not.toMatch(/\(\d+\)|UND_ERR|TimeoutError/);

      const thawed = await project.run(["drift", estate]);
      expect(thawed.code, described(thawed)).toBe(0);
    } finally {
      serve.child.kill("SIGKILL");
      await exited(serve.child);
      rmSync(data, { recursive: true, force: true });
    }
  }, 600_000);

  it("gives up on a refresh read the backend holds, within the deadline the engine's plugin was given", async () => {
    await using backend = await startTestBackend();
    await using project = cliProject(backend);
    const estate = project.example("small-office");
    expect((await project.run(["apply", estate])).code).toBe(0);

    await backend.faults({
      rules: [{ method: "GET", path: "^/v1/users", action: "hold", times: 1000 }],
      errorShare: null,
    });
    const held = await project.run(["drift", estate], { PBX_READ_TIMEOUT: "2" });
    await backend.faults({ rules: [], errorShare: null });
    await backend.call("POST", "/__test/faults/release");
    expect(held.code, described(held)).toBe(1);
    expect(held.stderr).toContain("did not answer within 2 s");
    expect(held.stderr).not.toContain("outcome unknown");
  }, 600_000);

  it("reports a write without an answer as an unknown outcome; the rerun it advises orders nothing twice", async () => {
    await using backend = await startTestBackend();
    await using project = cliProject(backend);
    const estate = project.example("small-office");

    // Orders are committed, but their answers never come back within the deadline.
    await backend.faults({
      rules: [{ method: "POST", path: "^/v1/orders$", action: "hold", times: 1000 }],
      errorShare: null,
    });
    const lost = await project.run(["apply", estate, "--yes"], { PBX_WRITE_TIMEOUT: "2" });
    await backend.faults({ rules: [], errorShare: null });
    await backend.call("POST", "/__test/faults/release");
    expect(lost.code, described(lost)).toBe(1);
    expect(lost.stderr).toContain("outcome unknown: the provisioning backend did not answer within 2 s");
    expect(lost.stderr).toContain("run the command again");
    const ordered = (await backend.call<unknown[]>("GET", "/v1/subscriptions")).body.length;
    expect(ordered).toBeGreaterThan(0);

    const rerun = await project.run(["apply", estate, "--yes"]);
    expect(rerun.code, described(rerun)).toBe(0);
    const after = (await backend.call<{ status: string }[]>("GET", "/v1/subscriptions")).body;
    const plan = await project.run(["plan", estate]);
    expect(plan.code, described(plan)).toBe(0);
    expect(plan.stdout).toContain("No changes");
    // small-office: two user licences and three device licences, each ordered once.
    expect(after.filter((s) => s.status === "active")).toHaveLength(5);
  }, 600_000);
});
