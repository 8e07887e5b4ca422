/**
 * Bad estate files stop every command before anything is contacted: validate, plan and apply exit 1 with
 * each problem as file:line:column and its rule, the backend is untouched and no state is written.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startTestBackend } from "../provider/harness.ts";
import { cliProject, described } from "./harness.ts";

describe("pbx-estate validate, and bad files everywhere", () => {
  it("accepts the examples", async () => {
    await using project = cliProject(undefined);
    const small = await project.run(["validate", project.example("small-office")]);
    expect(small.code, described(small)).toBe(0);
    expect(small.stdout).toBe("valid: estate small-office with 2 users and 3 devices\n");
    const multi = await project.run(["validate", project.example("multi-site")]);
    expect(multi.stdout).toBe("valid: estate multi-site with 60 users and 90 devices\n");
  });

  it("names file:line:column and the rule for validate, plan and apply, and changes nothing", async () => {
    await using backend = await startTestBackend();
    await using project = cliProject(backend);
    const estate = project.example("multi-site");
    const london = join(estate, "london.yaml");
    const edinburgh = join(estate, "edinburgh.yaml");
    // An extension that is not digits, and one already taken in another file.
    writeFileSync(london, readFileSync(london, "utf8").replace('extension: "202"', 'extension: "2o2"'));
    writeFileSync(edinburgh, readFileSync(edinburgh, "utf8").replace('extension: "402"', 'extension: "301"'));

    for (const command of ["validate", "plan", "apply"]) {
      const result = await project.run([command, estate]);
      expect(result.code, described(result)).toBe(1);
      expect(result.stderr).toContain("the estate files have 2 problems; nothing was contacted or changed");
      expect(result.stderr).toContain(
        `${london}:26:18: spec.users[1].extension: must be 2 to 5 digits (rule: pattern)`,
      );
      expect(result.stderr).toContain(
        `${join(estate, "manchester.yaml")}:14:18: spec.users[0].extension: extension "301" is already used at ${edinburgh}:26:18 (rule: duplicate-extension)`,
      );
    }
    expect((await backend.call<unknown[]>("GET", "/v1/subscriptions")).body).toEqual([]);
    expect((await backend.call<unknown[]>("GET", "/v1/users")).body).toEqual([]);
    expect(existsSync(join(project.dir, ".pbx-estate"))).toBe(false);
  });

  it("answers usage errors and unknown commands with exit 1 and the usage", async () => {
    await using project = cliProject(undefined);
    const none = await project.run(["plan"]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("name the estate's files or folders");
    expect(none.stderr).toContain("Usage: pbx-estate plan");
    const unknown = await project.run(["import"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('unknown command "import"');
    const flag = await project.run(["drift", "x.yaml", "--colour"]);
    expect(flag.code).toBe(1);
    expect(flag.stderr).toContain("--colour");
    const help = await project.run(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Exit codes: 0 done, 1 failure, 2 drift found (drift), 3 refused");
  });
});
