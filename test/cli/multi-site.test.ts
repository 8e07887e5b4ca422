/**
 * The multi-site estate (three site files, 60 users, 90 devices) through the CLI: the reviewed plan
 * applied from its file, a clean second plan, portal edits found by drift and put back, an estate-wide
 * default shown as what it does to each user, and a destroy that shows when each licence stops.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { DriftReport } from "../../cli/pbx-estate/drift/report.ts";
import type { EstatePlan } from "../../cli/pbx-estate/plan/model.ts";
import { NUMBERS, startTestBackend } from "../provider/harness.ts";
import { cliProject, described, json } from "./harness.ts";

interface LiveUser {
  id: string;
  name: string;
  extension: string;
  areaPrefix: string;
}
interface LiveDevice {
  id: string;
  name: string;
}
interface LiveSubscription {
  status: string;
  cancellationEffectiveAt: string | null;
}

describe("pbx-estate with examples/multi-site", () => {
  it("plan → apply the saved plan → no changes → portal edits → drift 2 → apply → drift 0 → a default's effect per user → destroy", async () => {
    await using backend = await startTestBackend({ clockStart: new Date().toISOString() });
    await using project = cliProject(backend);
    const estate = project.example("multi-site");

    const planned = await project.run(["plan", estate, "--json"]);
    expect(planned.code, described(planned)).toBe(0);
    const plan = json<EstatePlan>(planned);
    expect(plan.counts).toEqual({
      users: { create: 60, update: 0, replace: 0, delete: 0 },
      devices: { create: 90, update: 0, replace: 0, delete: 0 },
    });
    expect(plan.users.find((u) => u.key === "jacob-mitchell")!.fields).toEqual([
      { field: "name", to: "Jacob Mitchell" },
      { field: "extension", to: "302" },
      { field: "callPlan", to: "national-unlimited" },
      { field: "areaPrefix", to: "0161" },
      { field: "outboundCallerId", to: NUMBERS[1] },
      { field: "recording", to: { enabled: false } },
      { field: "devices", to: ["jacob-mitchell-desk-phone"] },
      { field: "removal", to: "end-of-month" },
    ]);
    // 3 international and 57 national-unlimited user licences, 90 SIP-device licences.
    expect(plan.licences.orders).toHaveLength(150);
    expect(plan.cost).toEqual({
      currency: "GBP",
      currentMonthlyMinor: 0,
      monthlyDeltaMinor: 3 * 2300 + 57 * 1300 + 90 * 300,
      newMonthlyMinor: 108_000,
    });

    const comment = await project.run(["plan", estate, "--markdown", "--out", "plan.json"]);
    expect(comment.code, described(comment)).toBe(0);
    expect(comment.stdout).toContain(
      "| create | `amelia-clarke` `201 Amelia Clarke` | name: `Amelia Clarke`<br>extension: `201`<br>callPlan: `international`",
    );
    expect(comment.stdout).toContain("| GBP 0.00 | +GBP 1080.00 | GBP 1080.00 |");

    const applied = await project.run(["apply", estate, "--plan", "plan.json"]);
    expect(applied.code, described(applied)).toBe(0);
    expect(applied.stdout).toContain("users: 60 created; devices: 90 created");
    const again = await project.run(["plan", estate, "--json"]);
    expect(json<EstatePlan>(again)).toMatchObject({ hasChanges: false, users: [], devices: [] });

    // In the portal: Jacob's area prefix changes and Ailsa's desk phone is renamed.
    const users = (await backend.call<LiveUser[]>("GET", "/v1/users")).body;
    const devices = (await backend.call<LiveDevice[]>("GET", "/v1/devices")).body;
    const jacob = users.find((u) => u.name === "Jacob Mitchell")!;
    const ailsaDesk = devices.find((d) => d.name === "Ailsa's Desk Phone")!;
    expect((await backend.call("PATCH", `/v1/users/${jacob.id}`, { areaPrefix: "0131" })).status).toBe(200);
    expect((await backend.call("PATCH", `/v1/devices/${ailsaDesk.id}`, { name: "Front Desk" })).status).toBe(200);
    const drift = await project.run(["drift", estate, "--json"]);
    expect(drift.code, described(drift)).toBe(2);
    expect(json<DriftReport>(drift).drift.map((d) => [d.resource, d.fields])).toEqual([
      ["device/ailsa-munro-desk-phone", [{ field: "name", declared: "Ailsa's Desk Phone", live: "Front Desk" }]],
      ["user/jacob-mitchell", [{ field: "areaPrefix", declared: "0161", live: "0131" }]],
    ]);

    const restored = await project.run(["apply", estate]);
    expect(restored.code, described(restored)).toBe(0);
    expect((await backend.call<LiveUser>("GET", `/v1/users/${jacob.id}`)).body.areaPrefix).toBe("0161");
    const clean = await project.run(["drift", estate]);
    expect(clean.code, described(clean)).toBe(0);

    // A new estate-wide caller ID reaches the London and Edinburgh users; Manchester sets its own.
    const estateFile = join(estate, "estate.yaml");
    writeFileSync(
      estateFile,
      readFileSync(estateFile, "utf8").replace(
        `outboundCallerId: "${NUMBERS[0]}"`,
        `outboundCallerId: "${NUMBERS[2]}"`,
      ),
    );
    const defaults = json<EstatePlan>(await project.run(["plan", estate, "--json"]));
    expect(defaults.users).toHaveLength(40);
    expect(
      defaults.users.every(
        (u) => u.op === "update" && u.fields.length === 1 && u.fields[0]!.field === "outboundCallerId",
      ),
    ).toBe(true);
    expect(defaults.users.find((u) => u.key === "amelia-clarke")!.fields).toEqual([
      { field: "outboundCallerId", from: NUMBERS[0], to: NUMBERS[2] },
    ]);
    expect(defaults.cost.monthlyDeltaMinor).toBe(0);

    const destroyed = await project.run(["destroy", estate, "--yes"]);
    expect(destroyed.code, described(destroyed)).toBe(0);
    const subscriptions = (await backend.call<LiveSubscription[]>("GET", "/v1/subscriptions")).body;
    expect(subscriptions.filter((s) => s.status === "cancellation-scheduled")).toHaveLength(150);
    const effective = [...new Set(subscriptions.map((s) => s.cancellationEffectiveAt))];
    expect(effective).toHaveLength(1);
    expect(
      destroyed.stdout.split("\n").filter((l) => l.includes(`cancellation takes effect ${effective[0]}`)),
    ).toHaveLength(150);
    expect(destroyed.stdout).toContain("Monthly cost: GBP 1080.00 → GBP 0.00 (-GBP 1080.00)");
    expect((await backend.call<LiveUser[]>("GET", "/v1/users")).body).toEqual([]);
  }, 900_000);
});
