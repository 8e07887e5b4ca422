/**
 * examples/ci: the workflows' own pbx-estate steps, taken from the YAML and run with bash (as a GitHub
 * runner would) in an estate repository holding the small office, against the embedded backend. Only the
 * steps that need GitHub itself (checkout, npm ci, posting the comment, artifacts) are left out.
 */
import { spawn } from "node:child_process";
import { chmodSync, cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { load } from "js-yaml";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../engine/harness.ts";
import { cliProject } from "../cli/harness.ts";
import { startTestBackend } from "../provider/harness.ts";

interface Workflow {
  jobs: Record<string, { steps: { name?: string; run?: string }[] }>;
}

function stepRun(workflow: string, name: string): string {
  const parsed = load(
    readFileSync(join(repoRoot, "examples", "ci", ".github", "workflows", workflow), "utf8"),
  ) as Workflow;
  const step = Object.values(parsed.jobs)
    .flatMap((j) => j.steps)
    .find((s) => s.name === name);
  if (!step?.run) throw new Error(`${workflow} has no step "${name}" with a run script`);
  return step.run;
}

/** Runs a step's script with `bash -e`, GitHub's default shell, and `npx pbx-estate` being this package's bin. */
function runStep(
  script: string,
  cwd: string,
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const bin = join(cwd, ".bin");
  mkdirSync(bin, { recursive: true });
  // What `npm ci` makes of an estate repository that depends on pbx-estate.
  writeFileSync(
    join(bin, "npx"),
    `#!/usr/bin/env bash\n[ "$1" = pbx-estate ] && shift && exec "${process.execPath}" "${join(repoRoot, "cli", "pbx-estate", "main.ts")}" "$@"\nexit 127\n`,
  );
  chmodSync(join(bin, "npx"), 0o755);
  const child = spawn("bash", ["-e", "-c", script], {
    cwd,
    env: { ...process.env, ...env, PATH: `${bin}:${process.env.PATH ?? ""}` },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

describe("examples/ci", () => {
  it("the PR plan, the merge applying exactly that plan, and the nightly drift job (0 in sync, 2 on drift)", async () => {
    await using backend = await startTestBackend();
    await using repo = cliProject(backend);
    cpSync(join(repoRoot, "examples", "small-office"), join(repo.dir, "estate"), { recursive: true });
    const summary = join(repo.dir, "summary.md");
    writeFileSync(summary, "");
    const env = { PBX_ENDPOINT: backend.url, PBX_TOKEN: backend.token, GITHUB_STEP_SUMMARY: summary };
    const described = (r: { code: number | null; stdout: string; stderr: string }) =>
      `exit ${r.code}\n${r.stdout}\n${r.stderr}`;

    for (const name of ["Validate", "Plan"]) {
      const r = await runStep(stepRun("pbx-plan.yml", name), repo.dir, env);
      expect(r.code, described(r)).toBe(0);
    }
    const comment = readFileSync(join(repo.dir, "pbx-plan.md"), "utf8");
    expect(comment).toContain("John Smith");
    expect(JSON.parse(readFileSync(join(repo.dir, "pbx-plan.json"), "utf8"))).toMatchObject({
      format: "pbx-estate-plan/v1",
    });

    const applied = await runStep(stepRun("pbx-apply.yml", "Apply the plan"), repo.dir, env);
    expect(applied.code, described(applied)).toBe(0);
    expect((await backend.call<unknown[]>("GET", "/v1/users")).body).toHaveLength(2);

    const inSync = await runStep(stepRun("pbx-drift.yml", "Drift"), repo.dir, env);
    expect(inSync.code, described(inSync)).toBe(0);

    const [john] = (await backend.call<{ id: string; name: string }[]>("GET", "/v1/users")).body.filter(
      (u) => u.name === "John Smith",
    );
    expect((await backend.call("PATCH", `/v1/users/${john!.id}`, { name: "Jon Smith" })).status).toBe(200);
    const drifted = await runStep(stepRun("pbx-drift.yml", "Drift"), repo.dir, env);
    expect(drifted.code, described(drifted)).toBe(2);
    expect(drifted.stdout).toContain("::error::the live PBX differs from main");
    expect(readFileSync(summary, "utf8")).toContain("Jon Smith");
  });
});
