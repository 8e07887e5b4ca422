/**
 * An apply killed after its licence orders were committed but before it recorded them: the next plan shows
 * those licences as taken over (already billed: in today's cost, not in the increase), not as orders, so a
 * cost limit does not stop the recovery apply, which orders nothing.
 */
import { describe, expect, it } from "vitest";
import type { EstatePlan } from "../../cli/pbx-estate/plan/model.ts";
import { startTestBackend } from "../provider/harness.ts";
import { cliProject, described, json } from "./harness.ts";

describe("the plan after a killed apply", () => {
  it("plans the licences the killed run ordered as taken over, counts their cost once, and orders nothing", async () => {
    await using backend = await startTestBackend();
    await using project = cliProject(backend);
    const estate = project.example("small-office");
    const licences = async () => (await backend.call<{ id: string; status: string }[]>("GET", "/v1/subscriptions")).body;

    // Every order commits, but no answer comes back; the run is killed once all five are in the backend.
    await backend.faults({ rules: [{ method: "POST", path: "^/v1/orders$", action: "hold", times: 1000 }] });
    const run = project.start(["apply", estate, "--yes"]);
    for (let i = 0; i < 600 && (await licences()).length < 5; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await licences()).toHaveLength(5);
    process.kill(-run.child.pid!, "SIGKILL");
    await run.done;
    await backend.faults({ rules: [] });
    await backend.call("POST", "/__test/faults/release");
    const unlocked = await project.run(["unlock", estate]);
    expect(unlocked.code, described(unlocked)).toBe(0);

    const planned = await project.run(["plan", estate, "--json"]);
    expect(planned.code, described(planned)).toBe(0);
    const plan = json<EstatePlan>(planned);
    expect(plan.licences.orders).toEqual([]);
    expect(plan.licences.adoptions.map((a) => `${a.for.kind}/${a.for.key}`).sort()).toEqual([
      "device/john-desk-phone",
      "device/john-softphone",
      "device/reception-phone",
      "user/john",
      "user/priya",
    ]);
    expect(plan.cost).toEqual({ currency: "GBP", currentMonthlyMinor: 4500, monthlyDeltaMinor: 0, newMonthlyMinor: 4500 });
    const text = await project.run(["plan", estate]);
    expect(text.stdout).toContain("Licences to take over (5; made by an earlier run of this estate that stopped before recording them, already billed)");
    expect(text.stdout).not.toContain("Licences to order");
    expect(text.stdout).toContain("Monthly cost: GBP 45.00 → GBP 45.00 (+GBP 0.00)");

    // No increase, so a limit of zero lets the recovery through without --yes; nothing is ordered.
    const recovered = await project.run(["apply", estate, "--max-cost-increase", "0"]);
    expect(recovered.code, described(recovered)).toBe(0);
    expect(recovered.stdout).toContain("licences: 5 added (5 taken over from an earlier run, 0 ordered)");
    expect(await licences()).toHaveLength(5);
    const after = await project.run(["plan", estate]);
    expect(after.stdout).toContain("No changes");
  }, 600_000);
});
