/**
 * Several estates in one job: `--each <folder>` runs plan, drift or validate for every subfolder (one estate
 * and one stack each), a bounded number at a time, and the exit code is the worst of them.
 */
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { EstatePlan } from "../../cli/pbx-estate/plan/model.ts";
import { repoRoot } from "../engine/harness.ts";
import { startTestBackend } from "../provider/harness.ts";
import { cliProject, described, json } from "./harness.ts";

const annex = `apiVersion: pbx-estate/v1
kind: Estate
metadata:
  name: annex
spec:
  acceptTerms: "2025-01"
  defaults:
    callPlan: pay-as-you-go
    areaPrefix: "0161"
    outboundCallerId: "+442079460001"
  users:
    - key: maria
      name: Maria Garcia
      extension: "700"
      devices:
        - key: maria-phone
          name: Maria's Phone
`;

interface EachResult<T> {
  estates: { path: string; exitCode: number; result: T }[];
}

describe("several estates in one job", () => {
  it("plans and checks drift of every estate of a folder, two at a time, with the worst exit code", async () => {
    await using backend = await startTestBackend();
    await using project = cliProject(backend);
    const estates = join(project.dir, "estates");
    cpSync(join(repoRoot, "examples", "small-office"), join(estates, "small-office"), { recursive: true });
    mkdirSync(join(estates, "annex"));
    writeFileSync(join(estates, "annex", "estate.yaml"), annex);
    for (const name of ["small-office", "annex"]) {
      const applied = await project.run(["apply", join("estates", name)]);
      expect(applied.code, described(applied)).toBe(0);
    }

    const plans = await project.run(["plan", "--each", "estates", "--jobs", "2", "--json"]);
    expect(plans.code, described(plans)).toBe(0);
    const planned = json<EachResult<EstatePlan>>(plans).estates;
    expect(planned.map((e) => [e.path, e.exitCode, e.result.hasChanges])).toEqual([
      [join("estates", "annex"), 0, false],
      [join("estates", "small-office"), 0, false],
    ]);

    const [maria] = (await backend.call<{ id: string; name: string }[]>("GET", "/v1/users")).body.filter(
      (u) => u.name === "Maria Garcia",
    );
    expect((await backend.call("PATCH", `/v1/users/${maria!.id}`, { name: "Maria G." })).status).toBe(200);
    const drift = await project.run(["drift", "--each", "estates", "--jobs", "2", "--json"]);
    expect(drift.code, described(drift)).toBe(2);
    expect(json<EachResult<unknown>>(drift).estates.map((e) => [e.path, e.exitCode])).toEqual([
      [join("estates", "annex"), 2],
      [join("estates", "small-office"), 0],
    ]);
    expect(JSON.stringify(json<EachResult<unknown>>(drift).estates[0]!.result)).toContain("Maria G.");

    writeFileSync(join(estates, "annex", "estate.yaml"), annex.replace('extension: "700"', 'extension: "7x0"'));
    const invalid = await project.run(["validate", "--each", "estates"]);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/annex.*estate\.yaml:\d+:\d+/);
  });
});
