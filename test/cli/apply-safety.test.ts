/**
 * An apply does what was reviewed or nothing: a plan file is refused once the backend or the estate files
 * moved on, and removals or a cost increase beyond the limits need confirmation (`--yes`, as no terminal
 * is attached here).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startTestBackend } from "../provider/harness.ts";
import { cliProject, described } from "./harness.ts";

interface LiveUser {
  id: string;
  name: string;
  extension: string;
}

/** Edits the small office's estate file in place. */
function edit(estateDir: string, change: (text: string) => string): void {
  const file = join(estateDir, "estate.yaml");
  writeFileSync(file, change(readFileSync(file, "utf8")));
}

const withoutPriya = (text: string) => text.slice(0, text.indexOf("    - key: priya"));

const withAmir = (text: string) =>
  `${text}    - key: amir
      name: Amir Khan
      extension: "202"
      callPlan: international
      outboundCallerId: "+442079460001"
`;

describe("apply's safety", () => {
  it("refuses a plan file once the backend or the estate files changed, and applies a fresh one", async () => {
    await using backend = await startTestBackend();
    await using project = cliProject(backend);
    const estate = project.example("small-office");
    expect((await project.run(["apply", estate])).code).toBe(0);

    edit(estate, (text) => text.replace("name: Priya Patel", "name: Priya Patel-Shah"));
    const planned = await project.run(["plan", estate, "--out", "rename.json"]);
    expect(planned.code, described(planned)).toBe(0);
    expect(planned.stdout).toContain("name: Priya Patel → Priya Patel-Shah");

    // Priya is renamed in the portal after the plan was reviewed.
    const priya = (await backend.call<LiveUser[]>("GET", "/v1/users")).body.find((u) => u.extension === "200")!;
    expect((await backend.call("PATCH", `/v1/users/${priya.id}`, { name: "P. Patel" })).status).toBe(200);
    const stale = await project.run(["apply", estate, "--plan", "rename.json"]);
    expect(stale.code, described(stale)).toBe(3);
    expect(stale.stderr).toContain("user/priya changed since the plan was made");
    expect(stale.stderr).toContain("nothing was changed");
    expect((await backend.call<LiveUser>("GET", `/v1/users/${priya.id}`)).body.name).toBe("P. Patel");

    // A new plan covers the portal's change; then the files change after it was made.
    expect((await project.run(["plan", estate, "--out", "rename.json"])).code).toBe(0);
    edit(estate, (text) => text.replace("name: Priya Patel-Shah", "name: Priya Shah"));
    const edited = await project.run(["apply", estate, "--plan", "rename.json"]);
    expect(edited.code, described(edited)).toBe(3);
    expect(edited.stderr).toContain("the estate files changed since the plan was made");
    expect((await backend.call<LiveUser>("GET", `/v1/users/${priya.id}`)).body.name).toBe("P. Patel");

    expect((await project.run(["plan", estate, "--out", "rename.json"])).code).toBe(0);
    const fresh = await project.run(["apply", estate, "--plan", "rename.json"]);
    expect(fresh.code, described(fresh)).toBe(0);
    expect((await backend.call<LiveUser>("GET", `/v1/users/${priya.id}`)).body.name).toBe("Priya Shah");
  }, 600_000);

  it("refuses more deletions than --max-deletions and a cost increase over --max-cost-increase unless --yes", async () => {
    await using backend = await startTestBackend();
    await using project = cliProject(backend);
    const estate = project.example("small-office");
    expect((await project.run(["apply", estate])).code).toBe(0);

    // Removing Priya removes a user and a device: two deletions.
    edit(estate, withoutPriya);
    const refused = await project.run(["apply", estate, "--max-deletions", "1"]);
    expect(refused.code, described(refused)).toBe(3);
    expect(refused.stderr).toContain("the plan removes 2 users and devices, more than --max-deletions 1");
    expect((await backend.call<LiveUser[]>("GET", "/v1/users")).body).toHaveLength(2);

    const confirmed = await project.run(["apply", estate, "--max-deletions", "1", "--yes"]);
    expect(confirmed.code, described(confirmed)).toBe(0);
    expect((await backend.call<LiveUser[]>("GET", "/v1/users")).body.map((u) => u.extension)).toEqual(["201"]);

    // Amir's international user licence adds GBP 23.00 a month.
    edit(estate, withAmir);
    const tooDear = await project.run(["apply", estate, "--max-cost-increase", "20"]);
    expect(tooDear.code, described(tooDear)).toBe(3);
    expect(tooDear.stderr).toContain("the monthly cost rises by GBP 23.00, more than --max-cost-increase GBP 20.00");
    expect((await backend.call<LiveUser[]>("GET", "/v1/users")).body).toHaveLength(1);
    const within = await project.run(["apply", estate, "--max-cost-increase", "23.00"]);
    expect(within.code, described(within)).toBe(0);
    expect((await backend.call<LiveUser[]>("GET", "/v1/users")).body).toHaveLength(2);
  }, 600_000);
});
