/**
 * An apply killed after its licence orders were committed but before it recorded them: the next plan shows
 * those licences as taken over (already billed: in today's cost, not in the increase), not as orders, so a
 * cost limit on what is new does not stop the recovery apply, which orders only what is missing.
 */
import { describe, expect, it } from "vitest";
import type { EstatePlan } from "../../cli/pbx-estate/plan/model.ts";
import type { Subscription } from "../../schemas/subscription.ts";
import { startTestBackend } from "../provider/harness.ts";
import { cliProject, described, json } from "./harness.ts";

describe("the plan after a killed apply", () => {
  it("plans the licences the killed run ordered as taken over, counts their cost once, and orders only what is missing", async () => {
    await using backend = await startTestBackend();
    await using project = cliProject(backend);
    const estate = project.example("small-office");
    const licences = async () => (await backend.call<Subscription[]>("GET", "/v1/subscriptions")).body;

    // Every order commits, but no answer comes back; the run is killed once orders are in the backend (how
    // many depends on how the provider grouped them: at least one, and no more than the estate's five).
    await backend.faults({ rules: [{ method: "POST", path: "^/v1/orders$", action: "hold", times: 1000 }] });
    const run = project.start(["apply", estate, "--yes"]);
    for (let i = 0; i < 600 && !((backend.backend.faults?.heldCount ?? 0) > 0 && (await licences()).length > 0); i++)
      await new Promise((r) => setTimeout(r, 100));
    process.kill(-run.child.pid!, "SIGKILL");
    await run.done;
    await backend.faults({ rules: [] });
    await backend.call("POST", "/__test/faults/release");
    const unlocked = await project.run(["unlock", estate]);
    expect(unlocked.code, described(unlocked)).toBe(0);
    // An order sent just before the kill may still be committing: read once the count holds still.
    let made = await licences();
    for (let i = 0; i < 50; i++) {
      await new Promise((r) => setTimeout(r, 200));
      const again = await licences();
      if (again.length === made.length) break;
      made = again;
    }
    expect(made.length).toBeGreaterThan(0);

    const planned = await project.run(["plan", estate, "--json"]);
    expect(planned.code, described(planned)).toBe(0);
    const plan = json<EstatePlan>(planned);
    expect(plan.licences.adoptions.map((a) => a.subscriptionId).sort()).toEqual(made.map((s) => s.id).sort());
    expect(plan.licences.orders).toHaveLength(5 - made.length);
    const billed = made.reduce((sum, s) => sum + s.monthlyPrice.amountMinor, 0);
    expect(plan.cost).toEqual({
      currency: "GBP",
      currentMonthlyMinor: billed,
      monthlyDeltaMinor: 4500 - billed,
      newMonthlyMinor: 4500,
    });
    const text = await project.run(["plan", estate]);
    expect(text.stdout).toContain(
      `Licences to take over (${made.length}; made by an earlier run of this estate that stopped before recording them, already billed)`,
    );
    expect(text.stdout).toContain(`Monthly cost: GBP ${(billed / 100).toFixed(2)} → GBP 45.00`);

    // The limit covers only what is new, so the recovery goes through without --yes, ordering only the rest.
    const limit = ((4500 - billed) / 100).toFixed(2);
    const recovered = await project.run(["apply", estate, "--max-cost-increase", limit]);
    expect(recovered.code, described(recovered)).toBe(0);
    expect(recovered.stdout).toContain(
      `licences: 5 added (${made.length} taken over from an earlier run, ${5 - made.length} ordered)`,
    );
    expect(await licences()).toHaveLength(5);
    const after = await project.run(["plan", estate]);
    expect(after.stdout).toContain("No changes");
  }, 600_000);
});
