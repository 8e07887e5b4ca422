/**
 * Plans checked against the account's rules (the backend's plan check), through the CLI with the real
 * engine: a plan the apply would fail half-way is a plan error naming the file, line, rule and live holder,
 * and the apply is refused before anything changes.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startTestBackend } from "../provider/harness.ts";
import { cliProject, described } from "./harness.ts";

describe("plans checked against the account's rules", () => {
  it("multi-site into an account holding the small office: plan exits 1 naming file:line and holder, apply exits 3", async () => {
    await using backend = await startTestBackend({ clockStart: new Date().toISOString() });
    await using project = cliProject(backend);
    const office = await project.run(["apply", project.example("small-office"), "--yes"]);
    expect(office.code, described(office)).toBe(0);
    const before = (await backend.call<unknown[]>("GET", "/v1/users")).body;

    const estate = project.example("multi-site");
    const plan = await project.run(["plan", estate]);
    expect(plan.code, described(plan)).toBe(1);
    expect(plan.stderr).toMatch(
      /london\.yaml:13: users\[0\]\.extension: extension 201 is held by user usr_\w+ \(John Smith\), not in this estate \[rule: extension-taken\]/,
    );

    const apply = await project.run(["apply", estate, "--yes"]);
    expect(apply.code, described(apply)).toBe(3);
    expect(apply.stderr).toContain("[rule: extension-taken]");
    expect(apply.stderr).toContain("nothing was changed");
    expect((await backend.call<unknown[]>("GET", "/v1/users")).body).toEqual(before);
    expect((await backend.call<unknown[]>("GET", "/v1/subscriptions")).body).toHaveLength(5);
  });

  it("a caller ID that is not one of the account's numbers: plan exits 1, apply exits 3, nothing changes", async () => {
    await using backend = await startTestBackend({ clockStart: new Date().toISOString() });
    await using project = cliProject(backend);
    const file = join(project.dir, "estate.yaml");
    writeFileSync(
      file,
      [
        "apiVersion: pbx-estate/v1",
        "kind: Estate",
        "metadata:",
        "  name: caller-id",
        "spec:",
        '  acceptTerms: "2025-01"',
        "  users:",
        "    - key: ada",
        "      name: Ada Lovelace",
        '      extension: "401"',
        "      callPlan: pay-as-you-go",
        '      areaPrefix: "020"',
        '      outboundCallerId: "+442079469999"',
        "",
      ].join("\n"),
    );
    const plan = await project.run(["plan", file]);
    expect(plan.code, described(plan)).toBe(1);
    expect(plan.stderr).toMatch(
      /estate\.yaml:13: users\[0\]\.outboundCallerId: .*\+442079469999 is not one of the account's numbers \[rule: caller-id-not-owned\]/,
    );
    const apply = await project.run(["apply", file, "--yes"]);
    expect(apply.code, described(apply)).toBe(3);
    expect((await backend.call<unknown[]>("GET", "/v1/users")).body).toEqual([]);
    expect((await backend.call<unknown[]>("GET", "/v1/subscriptions")).body).toEqual([]);
  });
});
