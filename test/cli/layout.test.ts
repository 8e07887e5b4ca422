/**
 * Logical names come only from keys: reordering users and devices, or moving a user into another file of
 * the estate, plans no change at all (nothing re-created, no licence re-ordered). Nothing but the state
 * backend is kept between runs, so another working folder on the same state plans the same.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { EstatePlan } from "../../cli/pbx-estate/plan/model.ts";
import { startTestBackend } from "../provider/harness.ts";
import { cliProject, described, json } from "./harness.ts";

const priyaBlock = `    - key: priya
      name: Priya Patel
      extension: "200"
      callPlan: international
      outboundCallerId: "+442079460001"
      devices:
        - key: reception-phone
          name: Reception Phone
`;

describe("estate layout", () => {
  it("reordering users and devices, then moving a user to a UserGroup file, plans no changes, also from another folder on the same state", async () => {
    await using backend = await startTestBackend();
    await using project = cliProject(backend);
    const estate = project.example("small-office");
    const file = join(estate, "estate.yaml");
    const applied = await project.run(["apply", estate]);
    expect(applied.code, described(applied)).toBe(0);

    // Priya first, and John's softphone before his desk phone.
    const original = readFileSync(file, "utf8");
    expect(original.endsWith(priyaBlock)).toBe(true);
    const johnAndDevices = original.slice(original.indexOf("    - key: john"), original.indexOf(priyaBlock));
    const deskPhone = "        - key: john-desk-phone\n          name: John's Desk Phone\n";
    const reordered = johnAndDevices.replace(deskPhone, "") + deskPhone;
    writeFileSync(file, original.slice(0, original.indexOf("    - key: john")) + priyaBlock + reordered);
    const afterReorder = await project.run(["plan", estate, "--json"]);
    expect(afterReorder.code, described(afterReorder)).toBe(0);
    expect(json<EstatePlan>(afterReorder)).toMatchObject({
      hasChanges: false,
      users: [],
      devices: [],
      licences: { orders: [], cancellations: [] },
    });

    // Priya moves to a file of her own, a UserGroup without defaults of its own.
    writeFileSync(file, readFileSync(file, "utf8").replace(priyaBlock, ""));
    writeFileSync(
      join(estate, "reception.yaml"),
      `apiVersion: pbx-estate/v1\nkind: UserGroup\nmetadata:\n  name: reception\nspec:\n  users:\n${priyaBlock}`,
    );
    const afterMove = await project.run(["plan", estate, "--json"]);
    expect(afterMove.code, described(afterMove)).toBe(0);
    expect(json<EstatePlan>(afterMove)).toMatchObject({
      hasChanges: false,
      users: [],
      devices: [],
      licences: { orders: [], cancellations: [] },
    });

    // A second, fresh working folder given the first one's state sees the same stack, unchanged.
    await using second = cliProject(backend);
    const shared = join(project.dir, ".pbx-estate");
    const elsewhere = await second.run(["plan", estate, "--json", "--backend-url", `file://${join(shared, "state")}`], {
      PULUMI_CONFIG_PASSPHRASE_FILE: join(shared, "passphrase"),
    });
    expect(elsewhere.code, described(elsewhere)).toBe(0);
    expect(json<EstatePlan>(elsewhere)).toMatchObject({ hasChanges: false, users: [], devices: [] });
  }, 600_000);
});
