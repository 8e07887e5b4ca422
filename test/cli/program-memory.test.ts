/**
 * An estate whose Pulumi program would not fit the CLI's heap is refused before the engine starts, with the
 * setting that lets it run, instead of an out-of-memory crash half-way through the apply.
 */
import { describe, expect, it } from "vitest";
import { auditLog, startTestBackend } from "../provider/harness.ts";
import { cliProject, described } from "./harness.ts";

describe("an estate too large for the CLI's heap", () => {
  it("is refused before anything changes, naming NODE_OPTIONS; with it the apply goes ahead", async () => {
    await using backend = await startTestBackend();
    await using project = cliProject(backend);
    const estate = project.example("small-office");

    const small = { NODE_OPTIONS: "--max-old-space-size=200" };
    const refused = await project.run(["apply", estate, "--yes"], small);
    expect(refused.code, described(refused)).toBe(1);
    expect(refused.stderr).toMatch(/registers \d+ resources, which needs about .* GB of memory in this process/);
    expect(refused.stderr).toMatch(/NODE_OPTIONS=--max-old-space-size=\d+\. Nothing was changed\./);
    expect(await auditLog(backend)).toEqual([]);

    const setting = /NODE_OPTIONS=(--max-old-space-size=\d+)/.exec(refused.stderr)![1]!;
    const applied = await project.run(["apply", estate, "--yes"], { NODE_OPTIONS: setting });
    expect(applied.code, described(applied)).toBe(0);
  });
});
