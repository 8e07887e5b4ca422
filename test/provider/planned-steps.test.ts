/**
 * The planned-steps guard (provider/planned-steps.ts) with the real engine and backend: an update handed a
 * deliberately wrong plan fails at the step the plan does not name, and the backend is unchanged for it.
 * The plan is written by hand here, as the CLI writes it: client reference → operation and changed fields.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PLANNED_STEPS_ENV, type PlannedSteps } from "../../provider/contract.ts";
import type { Device } from "../../schemas/device.ts";
import type { User } from "../../schemas/user.ts";
import { EngineRunError, type EngineWorkspace } from "../engine/harness.ts";
import { johnEstate, type JohnOptions } from "./estate.ts";
import { auditLog, estateEngine, startTestBackend } from "./harness.ts";

async function failureOf(run: Promise<unknown>): Promise<EngineRunError> {
  const error = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EngineRunError);
  return error as EngineRunError;
}

/** Each resource's client reference by logical name, as a preview of the current program declares it. */
async function referencesByName(engine: EngineWorkspace): Promise<Map<string, string>> {
  const references = new Map<string, string>();
  await engine.stack.preview({
    onEvent: (event) => {
      const meta = event.resOutputsEvent?.metadata;
      const reference: unknown = meta?.new?.inputs?.clientReference;
      if (meta && typeof reference === "string") references.set(meta.urn.split("::").pop() ?? "", reference);
    },
  });
  return references;
}

describe("planned-steps guard", () => {
  it("an update whose plan omits a change, names other fields or omits a create fails at that step and changes nothing for it; the right plan goes ahead", async () => {
    await using backend = await startTestBackend();
    const folder = mkdtempSync(join(tmpdir(), "pbx-steps-"));
    const stepsFile = join(folder, "planned-steps.json");
    const plan = (steps: PlannedSteps) => writeFileSync(stepsFile, JSON.stringify(steps));
    let options: JohnOptions = {};
    await using engine = await estateEngine(backend, async () => {
      johnEstate(options);
    });
    try {
      // Set up without the guard: a user's own `pulumi up` is not checked.
      await engine.up();
      // As the CLI does: the variable is set for the update only.
      const guardedUp = async () => {
        engine.stack.workspace.envVars[PLANNED_STEPS_ENV] = stepsFile;
        try {
          return await engine.up();
        } finally {
          delete engine.stack.workspace.envVars[PLANNED_STEPS_ENV];
        }
      };
      const deskNow = async () =>
        (await backend.call<Device[]>("GET", "/v1/devices")).body.find((d) => d.name.startsWith("John's Desk"));
      const deskBefore = await deskNow();
      expect(deskBefore?.name).toBe("John's Desk Phone");
      const auditBefore = (await auditLog(backend)).length;

      // The code renames the desk phone; a plan that leaves it unchanged refuses the update.
      options = { deskName: "John's Desk" };
      const references = await referencesByName(engine);
      const desk = references.get("john-desk")!;
      plan({});
      const omitted = await failureOf(guardedUp());
      const diagnostics = omitted.run.diagnostics.join("\n");
      expect(diagnostics).toContain(
        "refused to change john-desk: the plan this run carries out leaves john-desk unchanged",
      );
      expect(diagnostics).toContain("but this update would update it (it differs in name)");
      expect(omitted.run.steps.filter((s) => s.op !== "same")).toEqual([]);
      expect(await deskNow()).toEqual(deskBefore);

      // A plan that changes other fields of it refuses it too.
      plan({ [desk]: { op: "update", fields: ["rotation"] } });
      const other = await failureOf(guardedUp());
      expect(other.run.diagnostics.join("\n")).toContain(
        "refused to change john-desk: the plan this run carries out changes rotation of john-desk, but this update would also change name",
      );
      expect(await deskNow()).toEqual(deskBefore);
      expect((await auditLog(backend)).length).toBe(auditBefore);

      // Jane is added instead; a plan without her creates refuses them: no order, no user.
      options = { withJane: true };
      const ordersBefore = (await backend.call<unknown[]>("GET", "/v1/orders")).body.length;
      plan({});
      const noCreate = await failureOf(guardedUp());
      expect(noCreate.run.diagnostics.join("\n")).toMatch(
        /refused to change jane(-licence)?: the plan this run carries out leaves jane(-licence)? unchanged, but this update would create it/,
      );
      const users = async () => (await backend.call<User[]>("GET", "/v1/users")).body.map((u) => u.name);
      expect(await users()).toEqual(["John Smith"]);
      expect((await backend.call<unknown[]>("GET", "/v1/orders")).body).toHaveLength(ordersBefore);
      expect((await auditLog(backend)).length).toBe(auditBefore);

      // Both together, with the plan that names every step: it goes ahead.
      options = { deskName: "John's Desk", withJane: true };
      const withJane = await referencesByName(engine);
      plan({
        [desk]: { op: "update", fields: ["name"] },
        [withJane.get("jane-licence")!]: { op: "create", fields: [] },
        [withJane.get("jane")!]: { op: "create", fields: [] },
      });
      await guardedUp();
      expect((await users()).sort()).toEqual(["Jane Doe", "John Smith"]);
      expect((await deskNow())?.name).toBe("John's Desk");
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
