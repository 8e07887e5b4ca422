/**
 * The guard against an update whose program never ran (provider/program-mark.ts). The Node SDK's failure
 * that causes it (its first gRPC call to the engine failing, and its inline server calling the run a
 * success) cannot be brought about on purpose, so it is simulated: with the mark expected, the update runs
 * a program that registers nothing and never makes the mark, which is exactly what the engine saw then.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ProgramMark } from "../../cli/pbx-estate/program-mark.ts";
import { EngineRunError, EngineWorkspace } from "../engine/harness.ts";
import { johnEstate } from "./estate.ts";
import { startTestBackend } from "./harness.ts";

/** How many resources the stack's state records. */
async function recordedResources(engine: EngineWorkspace): Promise<number> {
  const { deployment } = (await engine.stack.exportStack()) as { deployment: { resources: unknown[] } };
  return deployment.resources.length;
}

describe("an update whose estate program never ran", () => {
  it("removes nothing when the program registered nothing without making its mark (simulated SDK failure); a program that ran still removes", async () => {
    await using backend = await startTestBackend();
    const folder = mkdtempSync(join(tmpdir(), "pbx-mark-"));
    using mark = new ProgramMark(folder);
    let withJane = true;
    await using engine = await EngineWorkspace.create({
      program: mark.around(async () => ({ john: johnEstate({ withJane }).john.id })),
      projectName: "acme-pbx",
      config: { "pbx:endpoint": { value: backend.url }, "pbx:token": { value: backend.token, secret: true } },
      env: mark.env,
    });
    try {
      await engine.up();
      const live = async () => ({
        users: (await backend.call<unknown[]>("GET", "/v1/users")).body.length,
        devices: (await backend.call<unknown[]>("GET", "/v1/devices")).body.length,
        active: (await backend.call<unknown[]>("GET", "/v1/subscriptions?status=active")).body.length,
      });
      const before = await live();
      expect(before).toEqual({ users: 2, devices: 2, active: 4 });
      const recorded = await recordedResources(engine);

      rmSync(mark.path);
      engine.setProgram(async () => ({}));
      const failed = await engine.up().then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failed).toBeInstanceOf(EngineRunError);
      expect((failed as EngineRunError).run.diagnostics.join("\n")).toContain("the estate program did not run in this update");
      expect((failed as EngineRunError).run.steps.filter((s) => s.op === "delete")).toEqual([]);
      expect(await live()).toEqual(before);
      expect(await recordedResources(engine)).toBe(recorded);

      withJane = false;
      engine.setProgram(mark.around(async () => ({ john: johnEstate({ withJane }).john.id })));
      const removed = await engine.up();
      expect(removed.steps.filter((s) => s.op === "delete").map((s) => s.name)).toEqual(["jane", "jane-licence"]);
      expect(await live()).toMatchObject({ users: 1 });
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
