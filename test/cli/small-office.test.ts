/**
 * The small office through the CLI, the way a team runs it: a reviewed plan (JSON and Markdown) applied
 * from its plan file, a clean second plan, a change made in the portal found by drift (exit 2, naming the
 * field), put back by apply, drift clean (exit 0), and a destroy that shows when each licence stops.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { DriftReport } from "../../cli/pbx-estate/drift/report.ts";
import type { EstatePlan } from "../../cli/pbx-estate/plan/model.ts";
import type { Subscription } from "../../schemas/subscription.ts";
import type { User } from "../../schemas/user.ts";
import { NUMBERS, startTestBackend } from "../provider/harness.ts";
import { cliProject, described, json, statePasswords } from "./harness.ts";

/** The last calendar day of this month in `timeZone`, as YYYY-MM-DD. */
function lastDayOfThisMonth(timeZone: string): string {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit" }).formatToParts(
    new Date(),
  );
  const year = Number(parts.find((p) => p.type === "year")!.value);
  const month = Number(parts.find((p) => p.type === "month")!.value);
  const day = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

describe("pbx-estate with examples/small-office", () => {
  it("plan → apply the saved plan → no changes → portal edit → drift 2 → apply → drift 0 → destroy with cancellation dates", async () => {
    // The backend's clock is today's, as the CLI's is, so both agree on which month a cancellation ends.
    await using backend = await startTestBackend({ clockStart: new Date().toISOString() });
    await using project = cliProject(backend);
    const estate = project.example("small-office");
    const outputs: string[] = [];
    const run = async (...args: string[]) => {
      const result = await project.run(args);
      outputs.push(result.stdout, result.stderr);
      return result;
    };

    // The plan, as JSON: every field of every new user and device, the licences and the cost delta.
    const planned = await run("plan", estate, "--json");
    expect(planned.code, described(planned)).toBe(0);
    const plan = json<EstatePlan>(planned);
    expect(plan.users.map((u) => [u.key, u.op, u.label])).toEqual([
      ["john", "create", "201 John Smith"],
      ["priya", "create", "200 Priya Patel"],
    ]);
    expect(plan.users[0]!.fields).toEqual([
      { field: "name", to: "John Smith" },
      { field: "extension", to: "201" },
      { field: "callPlan", to: "national-unlimited" },
      { field: "areaPrefix", to: "020" },
      { field: "outboundCallerId", to: NUMBERS[0] },
      {
        field: "recording",
        to: { enabled: true, email: "call-recordings@example.com", subject: "Outbound call: John Smith" },
      },
      { field: "devices", to: ["john-desk-phone", "john-softphone"] },
      { field: "removal", to: "end-of-month" },
    ]);
    expect(plan.devices.map((d) => [d.key, d.user, d.op])).toEqual([
      ["john-desk-phone", "john", "create"],
      ["john-softphone", "john", "create"],
      ["reception-phone", "priya", "create"],
    ]);
    expect(plan.licences.orders.map((o) => [o.for.key, o.product, o.callPlan, o.monthlyPriceMinor])).toEqual([
      ["john-desk-phone", "sip-device-licence", null, 300],
      ["john-softphone", "sip-device-licence", null, 300],
      ["reception-phone", "sip-device-licence", null, 300],
      ["john", "user-licence", "national-unlimited", 1300],
      ["priya", "user-licence", "international", 2300],
    ]);
    expect(plan.cost).toEqual({
      currency: "GBP",
      currentMonthlyMinor: 0,
      monthlyDeltaMinor: 4500,
      newMonthlyMinor: 4500,
    });

    // The same plan as a PR comment, saved as the plan file the merge applies.
    const comment = await run("plan", estate, "--markdown", "--out", "plan.json");
    expect(comment.code, described(comment)).toBe(0);
    expect(comment.stdout).toContain(
      "| create | `john` `201 John Smith` | name: `John Smith`<br>extension: `201`<br>callPlan: `national-unlimited`",
    );
    expect(comment.stdout).toContain("outboundCallerId: `+442079460001`");
    expect(comment.stdout).toContain(
      "| create | `reception-phone` `Reception Phone` | `priya` | name: `Reception Phone`<br>user: `priya` |",
    );
    expect(comment.stdout).toContain(
      "| order | `user licence (international)` | `user priya` | when applied | +GBP 23.00 |",
    );
    expect(comment.stdout).toContain("| GBP 0.00 | +GBP 45.00 | GBP 45.00 |");

    const applied = await run("apply", estate, "--plan", "plan.json");
    expect(applied.code, described(applied)).toBe(0);
    expect(applied.stdout).toMatch(/users: 2 created; devices: 3 created/);
    const users = (await backend.call<User[]>("GET", "/v1/users")).body;
    expect(users.map((u) => [u.extension, u.name, u.deviceIds.length]).sort()).toEqual([
      ["200", "Priya Patel", 1],
      ["201", "John Smith", 2],
    ]);

    const second = await run("plan", estate, "--json");
    expect(second.code, described(second)).toBe(0);
    expect(json<EstatePlan>(second)).toMatchObject({
      hasChanges: false,
      users: [],
      devices: [],
      cost: { monthlyDeltaMinor: 0, currentMonthlyMinor: 4500 },
    });

    // Someone changes John's caller ID in the portal.
    const john = users.find((u) => u.extension === "201")!;
    expect((await backend.call("PATCH", `/v1/users/${john.id}`, { outboundCallerId: NUMBERS[2] })).status).toBe(200);
    const drift = await run("drift", estate, "--json");
    expect(drift.code, described(drift)).toBe(2);
    const report = json<DriftReport>(drift);
    expect(report.drift).toEqual([
      {
        resource: "user/john",
        kind: "user",
        key: "john",
        label: "201 John Smith",
        state: "changed",
        fields: [{ field: "outboundCallerId", declared: NUMBERS[0], live: NUMBERS[2] }],
      },
    ]);
    expect(report.pendingCodeChanges.hasChanges).toBe(false);
    const driftText = await run("drift", estate);
    expect(driftText.code).toBe(2);
    expect(driftText.stdout).toContain(`outboundCallerId: declared ${NUMBERS[0]}, live ${NUMBERS[2]}`);

    const restored = await run("apply", estate);
    expect(restored.code, described(restored)).toBe(0);
    expect(restored.stdout).toContain(`outboundCallerId: ${NUMBERS[2]} → ${NUMBERS[0]}   (changed outside pbx-estate)`);
    expect((await backend.call<User>("GET", `/v1/users/${john.id}`)).body.outboundCallerId).toBe(NUMBERS[0]);
    const clean = await run("drift", estate);
    expect(clean.code, described(clean)).toBe(0);
    expect(clean.stdout).toContain("In sync");

    // Not at a terminal and without --yes, destroy shows what it would cancel and when, and stops there.
    const lastDay = lastDayOfThisMonth("Europe/London");
    const unconfirmed = await run("destroy", estate);
    expect(unconfirmed.code, described(unconfirmed)).toBe(3);
    expect(
      unconfirmed.stdout.split("\n").filter((l) => l.includes(`runs until the end of ${lastDay} (Europe/London)`)),
    ).toHaveLength(5);
    expect(unconfirmed.stdout).toContain("Monthly cost: GBP 45.00 → GBP 0.00 (-GBP 45.00)");
    expect((await backend.call<User[]>("GET", "/v1/users")).body).toHaveLength(2);

    const passwords = await statePasswords(project, "small-office");
    expect(passwords).toHaveLength(3);
    // Each save of the state was a write to a temporary file and a rename: no sidecar file was rewritten
    // in place, which a run killed mid-save would leave empty and the stack unreadable, even to `pulumi cancel`.
    const stateFiles = readdirSync(join(project.dir, ".pbx-estate", "state"), { recursive: true, encoding: "utf8" });
    expect(stateFiles).toContain(join(".pulumi", "stacks", "pbx-estate", "small-office.json"));
    expect(stateFiles.filter((f) => f.endsWith(".attrs"))).toEqual([]);

    const destroyed = await run("destroy", estate, "--yes");
    expect(destroyed.code, described(destroyed)).toBe(0);
    const subscriptions = (await backend.call<Subscription[]>("GET", "/v1/subscriptions")).body;
    expect(subscriptions.map((s) => s.status)).toEqual(Array(5).fill("cancellation-scheduled"));
    const effective = new Set(subscriptions.map((s) => s.cancellationEffectiveAt));
    expect(effective.size).toBe(1);
    expect(
      destroyed.stdout
        .split("\n")
        .filter((l) => l.includes(`cancellation takes effect ${[...effective][0]} (runs until the end of ${lastDay}`)),
    ).toHaveLength(5);
    expect((await backend.call<User[]>("GET", "/v1/users")).body).toEqual([]);

    // No SIP password reached any output, nor the token.
    const everything = outputs.join("\n");
    for (const secret of [...passwords, backend.token]) expect(everything).not.toContain(secret);
  }, 600_000);
});
