/**
 * A new licence that claims one pending cancellation, through the CLI with the real engine and backend: a
 * licence cancelled in the portal (pending cancellation, held by nobody) and an estate adding a user. The
 * plan names that `sub_…` as reinstated instead of ordering (text, JSON, Markdown) with its cost, a saved
 * plan is refused once that licence is gone, and the apply reinstates exactly the one the plan named.
 */
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { EstatePlan } from "../../cli/pbx-estate/plan/model.ts";
import type { Device } from "../../schemas/device.ts";
import type { Subscription } from "../../schemas/subscription.ts";
import type { User } from "../../schemas/user.ts";
import { NUMBERS, startTestBackend, TERMS, type TestBackend } from "../provider/harness.ts";
import { cliProject, described, json } from "./harness.ts";

async function ok<T>(backend: TestBackend, method: string, path: string, body?: unknown): Promise<T> {
  const r = await backend.call<T>(method, path, body);
  expect(r.status, `${method} ${path}: ${JSON.stringify(r.body)}`).toBeLessThan(300);
  return r.body;
}

/** A user licence ordered and cancelled in the portal at the month's end: pending cancellation, unheld. */
async function cancelledInPortal(backend: TestBackend): Promise<Subscription> {
  const order = { termsVersion: TERMS, items: [{ product: "user-licence", callPlan: "national-unlimited" }] };
  const made = (await ok<{ subscriptions: Subscription[] }>(backend, "POST", "/v1/orders", order)).subscriptions[0]!;
  const cancelled = await ok<Subscription>(backend, "POST", `/v1/subscriptions/${made.id}/cancel`, {
    effective: "end-of-month",
    termsVersion: TERMS,
  });
  expect(cancelled).toMatchObject({ status: "cancellation-scheduled", holder: null });
  return cancelled;
}

/** The last day a cancellation lets a licence run, in the account's time zone. */
function lastDay(effectiveAt: string): string {
  return new Intl.DateTimeFormat("en-CA", {
    timeZone: "Europe/London",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(new Date(Date.parse(effectiveAt) - 1));
}

describe("a new licence claiming one pending cancellation", () => {
  it("plan names the sub_… it reinstates instead of ordering, and apply reinstates exactly that one", async () => {
    // The backend's clock is today's, as the CLI's is, so both agree on which month a cancellation ends.
    await using backend = await startTestBackend({ clockStart: new Date().toISOString() });
    await using project = cliProject(backend);
    const estate = project.example("small-office");
    const first = await project.run(["apply", estate, "--yes"]);
    expect(first.code, described(first)).toBe(0);

    const spare = await cancelledInPortal(backend);
    appendFileSync(
      join(estate, "estate.yaml"),
      `    - key: ann\n      name: Ann Lee\n      extension: "202"\n      callPlan: national-unlimited\n      outboundCallerId: "${NUMBERS[2]}"\n`,
    );
    const ending = lastDay(spare.cancellationEffectiveAt!);

    const text = await project.run(["plan", estate]);
    expect(text.code, described(text)).toBe(0);
    expect(text.stdout).toContain(
      "Licences to reinstate instead of ordering (1; pending cancellation in the account, each runs on for its new " +
        "holder instead of ending after its last day: its monthly price is added to the cost as an order's would be, " +
        `and nothing is ordered)\n  user licence of user ann — ${spare.id} (pending cancellation, last day ${ending} ` +
        "(Europe/London)), national-unlimited GBP 13.00 a month\n",
    );
    expect(text.stdout).not.toContain("Licences to order");
    // Today's cost is the estate's five licences; the claimed one runs on at its price.
    expect(text.stdout).toContain("Monthly cost: GBP 45.00 → GBP 58.00 (+GBP 13.00)");

    const planned = json<EstatePlan>(await project.run(["plan", estate, "--json"]));
    expect(planned.licences.orders).toEqual([]);
    expect(planned.licences.claims).toEqual([
      {
        for: { kind: "user", key: "ann" },
        product: "user-licence",
        callPlan: "national-unlimited",
        subscriptionId: spare.id,
        lastDay: ending,
        monthlyPriceMinor: 1300,
      },
    ]);
    expect(planned.cost).toEqual({
      currency: "GBP",
      currentMonthlyMinor: 4500,
      monthlyDeltaMinor: 1300,
      newMonthlyMinor: 5800,
    });

    const markdown = await project.run(["plan", estate, "--markdown"]);
    expect(markdown.code, described(markdown)).toBe(0);
    expect(markdown.stdout).toContain(
      `| reinstate instead of ordering | \`user licence (national-unlimited)\` \`${spare.id}\` | \`user ann\` | ` +
        `when applied (pending cancellation, last day \`${ending}\`) | +GBP 13.00 |`,
    );

    // A saved plan claiming it is refused once its cancellation has taken effect (cancelled outright here).
    const stale = join(project.dir, "stale.json");
    expect((await project.run(["plan", estate, "--out", stale])).code).toBe(0);
    await ok(backend, "POST", `/v1/subscriptions/${spare.id}/cancel`, {
      effective: "immediately",
      termsVersion: TERMS,
    });
    const refused = await project.run(["apply", estate, "--plan", stale, "--yes"]);
    expect(refused.code, described(refused)).toBe(3);
    expect(refused.stderr).toContain(
      `licence ${spare.id}, pending cancellation when the plan was made, is no longer the one user ann reinstates instead of ordering`,
    );
    expect((await ok<User[]>(backend, "GET", "/v1/users")).map((u) => u.name).sort()).toEqual([
      "John Smith",
      "Priya Patel",
    ]);

    // Another one pending cancellation: planned, saved and applied exactly.
    const next = await cancelledInPortal(backend);
    const saved = join(project.dir, "plan.json");
    expect((await project.run(["plan", estate, "--out", saved])).code).toBe(0);
    const file = JSON.parse(readFileSync(saved, "utf8")) as { plan: EstatePlan };
    expect(file.plan.licences.claims.map((c) => c.subscriptionId)).toEqual([next.id]);
    const before = await ok<Subscription[]>(backend, "GET", "/v1/subscriptions");
    const orders = (await ok<unknown[]>(backend, "GET", "/v1/orders")).length;

    const applied = await project.run(["apply", estate, "--plan", saved, "--yes"]);
    expect(applied.code, described(applied)).toBe(0);
    expect(applied.stdout).toContain("licences: 1 added (1 claimed back from pending cancellation, 0 ordered)");
    expect(applied.stdout).toContain(
      `  user licence of user ann (${next.id}): reinstated instead of ordering, its cancellation withdrawn\n`,
    );
    expect(applied.stdout).toContain("monthly cost: GBP 58.00 (was GBP 45.00, +GBP 13.00)");

    // No subscription was ordered: the same list, with exactly that one reinstated and held by Ann.
    const after = await ok<Subscription[]>(backend, "GET", "/v1/subscriptions");
    expect(after.map((s) => s.id).sort()).toEqual(before.map((s) => s.id).sort());
    expect((await ok<unknown[]>(backend, "GET", "/v1/orders")).length).toBe(orders);
    const ann = (await ok<User[]>(backend, "GET", "/v1/users")).find((u) => u.name === "Ann Lee")!;
    expect(ann.licenceId).toBe(next.id);
    expect(after.find((s) => s.id === next.id)).toMatchObject({
      status: "active",
      cancellationEffectiveAt: null,
      holder: { kind: "user", id: ann.id },
    });
    const changed = after.filter((s) => JSON.stringify(s) !== JSON.stringify(before.find((b) => b.id === s.id)));
    expect(changed.map((s) => s.id)).toEqual([next.id]);
    const active = after.filter((s) => s.status === "active");
    expect(active.reduce((sum, s) => sum + s.monthlyPrice.amountMinor, 0)).toBe(5800);

    const clean = await project.run(["plan", estate]);
    expect(clean.stdout).toContain("No changes");
  }, 600_000);

  it("a licence the estate keeps is reinstated for its own holder, never claimed by a new one", async () => {
    await using backend = await startTestBackend({ clockStart: new Date().toISOString() });
    await using project = cliProject(backend);
    const estate = project.example("small-office");
    const first = await project.run(["apply", estate, "--yes"]);
    expect(first.code, described(first)).toBe(0);

    // John's softphone deleted in the portal, its licence cancelled at the month's end: pending, held by nobody,
    // and still the estate's (the softphone's licence resource records it).
    const john = (await ok<User[]>(backend, "GET", "/v1/users")).find((u) => u.name === "John Smith")!;
    const softphone = (await ok<Device[]>(backend, "GET", "/v1/devices")).find((d) => d.name === "John's Softphone")!;
    await ok(backend, "DELETE", `/v1/users/${john.id}/devices/${softphone.id}`);
    await ok(backend, "DELETE", `/v1/devices/${softphone.id}`);
    const kept = await ok<Subscription>(backend, "POST", `/v1/subscriptions/${softphone.licenceId}/cancel`, {
      effective: "end-of-month",
      termsVersion: TERMS,
    });
    expect(kept).toMatchObject({ status: "cancellation-scheduled", holder: null });
    // Priya gets a second phone in the same apply: a new SIP-device licence of the same product.
    const file = join(estate, "estate.yaml");
    writeFileSync(
      file,
      readFileSync(file, "utf8").replace(
        "          name: Reception Phone\n",
        "          name: Reception Phone\n        - key: reception-softphone\n          name: Reception Softphone\n",
      ),
    );

    const planned = json<EstatePlan>(await project.run(["plan", estate, "--json"]));
    expect(planned.licences.claims).toEqual([]);
    expect(planned.licences.orders.map((o) => o.for)).toEqual([{ kind: "device", key: "reception-softphone" }]);
    expect(planned.licences.reinstatements.map((r) => r.subscriptionId)).toEqual([kept.id]);

    const applied = await project.run(["apply", estate, "--yes"]);
    expect(applied.code, described(applied)).toBe(0);
    const devices = await ok<Device[]>(backend, "GET", "/v1/devices");
    const recreated = devices.find((d) => d.name === "John's Softphone")!;
    const added = devices.find((d) => d.name === "Reception Softphone")!;
    expect(recreated.licenceId).toBe(kept.id);
    expect(added.licenceId).not.toBe(kept.id);
    const licences = await ok<Subscription[]>(backend, "GET", "/v1/subscriptions");
    expect(licences.find((s) => s.id === kept.id)).toMatchObject({
      status: "active",
      holder: { kind: "device", id: recreated.id },
    });
    expect(licences.find((s) => s.id === added.licenceId)).toMatchObject({
      status: "active",
      holder: { kind: "device", id: added.id },
    });
  }, 600_000);
});
