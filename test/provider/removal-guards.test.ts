/**
 * The provider's guards on removals (provider/removal-guards.ts), with the real engine and backend. The
 * Node SDK failures they stand against (its first gRPC call to the engine failing, or a later one, and its
 * inline server calling the run a success) cannot be brought about on purpose, so they are simulated with
 * programs that register less than the estate, which is exactly what the engine saw then.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ProgramMark } from "../../cli/pbx-estate/program-mark.ts";
import { PLANNED_REMOVALS_ENV } from "../../provider/removal-guards.ts";
import type { User } from "../../schemas/user.ts";
import { EngineRunError, EngineWorkspace } from "../engine/harness.ts";
import { johnEstate } from "./estate.ts";
import { startTestBackend, type TestBackend } from "./harness.ts";

/** What is live: users, devices and active licences. */
async function liveCounts(backend: TestBackend) {
  return {
    users: (await backend.call<unknown[]>("GET", "/v1/users")).body.length,
    devices: (await backend.call<unknown[]>("GET", "/v1/devices")).body.length,
    active: (await backend.call<unknown[]>("GET", "/v1/subscriptions?status=active")).body.length,
  };
}

async function failureOf(run: Promise<unknown>): Promise<EngineRunError> {
  const error = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EngineRunError);
  return error as EngineRunError;
}

/** How many resources the stack's state records. */
async function recordedResources(engine: EngineWorkspace): Promise<number> {
  const { deployment } = (await engine.stack.exportStack()) as { deployment: { resources: unknown[] } };
  return deployment.resources.length;
}

describe("removal guards", () => {
  it("an update whose program never ran removes nothing when the program registered nothing without making its mark (simulated SDK failure); a program that ran still removes", async () => {
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
      const live = () => liveCounts(backend);
      const before = await live();
      expect(before).toEqual({ users: 2, devices: 2, active: 4 });
      const recorded = await recordedResources(engine);

      rmSync(mark.path);
      engine.setProgram(async () => ({}));
      const failed = await failureOf(engine.up());
      expect(failed.run.diagnostics.join("\n")).toContain("the estate program did not run in this update");
      expect(failed.run.steps.filter((s) => s.op === "delete")).toEqual([]);
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

  it("an apply removes only what its plan removes, even when the program registered less than the estate (simulated SDK failure part-way)", async () => {
    await using backend = await startTestBackend();
    const folder = mkdtempSync(join(tmpdir(), "pbx-removals-"));
    const removals = join(folder, "planned-removals.json");
    let program = { withJane: true, withJohn: true };
    await using engine = await EngineWorkspace.create({
      program: async () => (program.withJohn ? { john: johnEstate({ withJane: program.withJane }).john.id } : {}),
      projectName: "acme-pbx",
      config: { "pbx:endpoint": { value: backend.url }, "pbx:token": { value: backend.token, secret: true } },
      env: { [PLANNED_REMOVALS_ENV]: removals },
    });
    try {
      await engine.up();
      const users = (await backend.call<User[]>("GET", "/v1/users")).body;
      const jane = users.find((u) => u.name === "Jane Doe")!;
      const john = users.find((u) => u.name === "John Smith")!;
      // The plan that was reviewed: Jane and her licence go.
      writeFileSync(removals, JSON.stringify([jane.id, jane.licenceId]));

      // The update registers nothing: John and his devices would go too, beyond the plan.
      program = { withJane: false, withJohn: false };
      const failed = await failureOf(engine.up());
      expect(failed.run.diagnostics.join("\n")).toContain(
        `refused to remove ${john.id}: the plan this run carries out does not remove it`,
      );
      // The engine stops at the first failure, so Jane's planned removal may or may not have gone ahead.
      for (const step of failed.run.steps.filter((s) => s.op === "delete"))
        expect(["jane", "jane-licence"]).toContain(step.name);
      const johnNow = (await backend.call<User>("GET", `/v1/users/${john.id}`)).body;
      expect(johnNow.deviceIds).toHaveLength(2);
      const held = [
        john.licenceId,
        ...(await backend.call<{ licenceId: string }[]>("GET", "/v1/devices")).body.map((d) => d.licenceId),
      ];
      const active = (await backend.call<{ id: string }[]>("GET", "/v1/subscriptions?status=active")).body.map(
        (s) => s.id,
      );
      expect(held.every((id) => active.includes(id))).toBe(true);

      // Planned in full, the same removal goes ahead.
      program = { withJane: false, withJohn: true };
      await engine.up();
      expect(await liveCounts(backend)).toEqual({ users: 1, devices: 2, active: 3 });
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
