/**
 * `plan` and `drift` on a folder state backend read the stack's checkpoint and the live objects without
 * the Pulumi engine: a nightly drift job works where the engine's CLI cannot run, and only `--engine`
 * and changes need it.
 */
import { describe, expect, it } from "vitest";
import type { User } from "../../schemas/user.ts";
import { startTestBackend } from "../provider/harness.ts";
import { cliProject, described, json } from "./harness.ts";

describe("plan and drift without the engine", () => {
  it("report the portal's changes with no usable Pulumi CLI; --engine and a missing stack still fail clearly", async () => {
    await using backend = await startTestBackend();
    await using project = cliProject(backend);
    const estate = project.example("small-office");
    const applied = await project.run(["apply", estate]);
    expect(applied.code, described(applied)).toBe(0);
    const priya = (await backend.call<User[]>("GET", "/v1/users")).body.find((u) => u.extension === "200")!;
    expect((await backend.call("PATCH", `/v1/users/${priya.id}`, { name: "P. Patel" })).status).toBe(200);

    const noEngine = { PBX_ESTATE_PULUMI: `${project.dir}/no-such-pulumi` };
    const drift = await project.run(["drift", estate, "--json"], noEngine);
    expect(drift.code, described(drift)).toBe(2);
    const report = json<{ drift: unknown[] }>(drift);
    expect(JSON.stringify(report.drift)).toContain("P. Patel");
    const plan = await project.run(["plan", estate], noEngine);
    expect(plan.code, described(plan)).toBe(0);
    expect(plan.stdout).toContain("name: P. Patel → Priya Patel");

    const engine = await project.run(["drift", estate, "--engine"], noEngine);
    expect(engine.code, described(engine)).toBe(1);
    expect(engine.stderr).toContain("no-such-pulumi");

    const never = await project.run(["drift", estate, "--stack", "never-applied"], noEngine);
    expect(never.code, described(never)).toBe(1);
    expect(never.stderr).toContain("no state for estate never-applied");
  });
});
