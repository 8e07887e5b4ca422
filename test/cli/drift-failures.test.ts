/**
 * A drift run that cannot see the live objects fails (exit 1); it never reports drift (2): not when every
 * request is throttled, not when reads fail during the refresh, not with a token of another account or a
 * refused one, and not when the backend is down. And drift stays drift after an apply that failed once its
 * refresh had written the live values into state.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { DriftReport } from "../../cli/pbx-estate/drift/report.ts";
import { NUMBERS, startTestBackend } from "../provider/harness.ts";
import { cliProject, described, json } from "./harness.ts";

describe("drift failures", () => {
  it("exits 1 when throttled, when reads fail, with a wrong or refused token, and with the backend down", async () => {
    await using backend = await startTestBackend();
    await using project = cliProject(backend);
    const estate = project.example("small-office");
    const applied = await project.run(["apply", estate]);
    expect(applied.code, described(applied)).toBe(0);

    // Every request answered 429 (Retry-After 0, so the client's retries run out quickly).
    await backend.faults({ rules: [], errorShare: { status: 429, every: 1, retryAfterSeconds: 0 } });
    const throttled = await project.run(["drift", estate]);
    expect(throttled.code, described(throttled)).toBe(1);
    expect(throttled.stderr).toContain("still throttled (429) after retrying");

    // The account and catalogue answer, but reading the users during the refresh fails with 503.
    await backend.faults({
      rules: [{ method: "GET", path: "^/v1/users", action: "unavailable", times: 1000 }],
      errorShare: null,
    });
    const unreadable = await project.run(["drift", estate]);
    expect(unreadable.code, described(unreadable)).toBe(1);
    expect(unreadable.stderr).toContain("could not read the live objects");
    await backend.faults({ rules: [], errorShare: null });

    const other = await backend.backend.createAccount({
      name: "Other Ltd",
      timeZone: "Europe/London",
      numbers: [NUMBERS[2]!],
    });
    const wrongAccount = await project.run(["drift", estate], { PBX_TOKEN: other.token });
    expect(wrongAccount.code, described(wrongAccount)).toBe(1);
    expect(wrongAccount.stderr).toContain(`the token is for account ${other.accountId}`);

    const refused = await project.run(["drift", estate], { PBX_TOKEN: "pbx_not-a-token" });
    expect(refused.code, described(refused)).toBe(1);
    expect(refused.stderr).toContain("the token was refused (401)");

    const inSync = await project.run(["drift", estate]);
    expect(inSync.code, described(inSync)).toBe(0);

    await backend.backend.stop();
    const down = await project.run(["drift", estate]);
    expect(down.code, described(down)).toBe(1);
    expect(down.stderr).toContain("the provisioning backend refused the connection (nothing is listening there)");
  }, 600_000);

  it("still reports drift after a failed apply wrote the live values into state", async () => {
    await using backend = await startTestBackend();
    await using project = cliProject(backend);
    const estate = project.example("small-office");
    expect((await project.run(["apply", estate])).code).toBe(0);

    const john = (await backend.call<{ id: string; extension: string }[]>("GET", "/v1/users")).body.find(
      (u) => u.extension === "201",
    )!;
    expect((await backend.call("PATCH", `/v1/users/${john.id}`, { name: "Jonathan Smith" })).status).toBe(200);
    // A code change the plan accepts, whose apply fails after the refresh: the backend takes no change set.
    const file = join(estate, "estate.yaml");
    writeFileSync(
      file,
      readFileSync(file, "utf8").replace(`outboundCallerId: "${NUMBERS[0]}"`, `outboundCallerId: "${NUMBERS[1]}"`),
    );
    await backend.faults({
      rules: [{ method: "POST", path: "^/v1/(batch|change-sets)", action: "unavailable", times: 1000 }],
      errorShare: null,
    });
    const failed = await project.run(["apply", estate], { PBX_WRITE_TIMEOUT: "5" });
    await backend.faults({ rules: [], errorShare: null });
    expect(failed.code, described(failed)).toBe(1);
    expect(failed.stdout + failed.stderr).toContain("reading again 1 object changed outside pbx-estate");

    const drift = await project.run(["drift", estate, "--json"]);
    expect(drift.code, described(drift)).toBe(2);
    const report = json<DriftReport>(drift);
    expect(report.drift.map((d) => [d.resource, d.fields])).toEqual([
      ["user/john", [{ field: "name", declared: "John Smith", live: "Jonathan Smith" }]],
    ]);
    expect(report.pendingCodeChanges.users).toEqual([
      {
        key: "john",
        op: "update",
        label: "201 John Smith",
        fields: [{ field: "outboundCallerId", from: NUMBERS[0], to: NUMBERS[1] }],
      },
    ]);
  }, 600_000);
});
