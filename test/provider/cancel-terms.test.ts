/**
 * A cancellation accepts the service terms, and a delete sees only the terms state recorded when the
 * licence was ordered. After the backend's terms change, a destroy is refused saying what to do, nothing
 * cancelled; it cancels once the run accepts the new terms: PBX_ACCEPT_TERMS (what the CLI sets from the
 * estate), stack config pbx:acceptTerms (which a destroy reads as the last up recorded it), or the program
 * declaring the new terms on its licences.
 */
import type { PulumiFn } from "@pulumi/pulumi/automation/index.js";
import { describe, expect, it } from "vitest";
import { ServiceSubscription } from "../../sdk/index.ts";
import { EngineRunError, type EngineWorkspace } from "../engine/harness.ts";
import { auditLog, estateEngine, startTestBackend, TERMS, type HarnessBackend } from "./harness.ts";

const NEW_TERMS = "2025-07";

interface Sub {
  status: string;
}

/** Two licences, nothing holding them: a destroy's only steps are their cancellations. */
const licences =
  (termsVersion = TERMS): PulumiFn =>
  async () => {
    new ServiceSubscription("reception-licence", { product: "user-licence", callPlan: "pay-as-you-go", termsVersion });
    new ServiceSubscription("reception-desk-licence", { product: "sip-device-licence", termsVersion });
  };

const statuses = async (backend: HarnessBackend): Promise<string[]> =>
  (await backend.call<Sub[]>("GET", "/v1/subscriptions")).body.map((s) => s.status);

const cancelledUnder = async (backend: HarnessBackend): Promise<unknown[]> =>
  (await auditLog(backend)).filter((e) => e.action === "subscription.cancel").map((e) => e.detail.termsVersion);

/** Applies the licences under TERMS, then restarts the backend with new terms and checks a destroy is refused. */
async function refusedAfterNewTerms(backend: HarnessBackend, engine: EngineWorkspace): Promise<void> {
  await engine.up();
  await backend.restart({ termsVersion: NEW_TERMS });
  const refused = await engine.destroy().then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(refused).toBeInstanceOf(EngineRunError);
  const said = (refused as EngineRunError).run.diagnostics.join("\n");
  expect(said).toMatch(
    new RegExp(
      String.raw`licence reception-desk-licence \(sub_\w+\): the service terms are now ${NEW_TERMS}; accept them ` +
        String.raw`\(acceptTerms: "${NEW_TERMS}" in the estate, or for a program stack config pbx:acceptTerms or PBX_ACCEPT_TERMS\) ` +
        "to cancel; the licence was not cancelled",
    ),
  );
  expect(await statuses(backend)).toEqual(["active", "active"]);
  expect(await cancelledUnder(backend)).toEqual([]);
}

describe("cancelling under new service terms", () => {
  it("refuses a destroy after the terms changed; with PBX_ACCEPT_TERMS naming the new terms the same destroy cancels", async () => {
    await using backend = await startTestBackend({ restartable: true });
    await using engine = await estateEngine(backend, licences());
    await refusedAfterNewTerms(backend, engine);

    engine.stack.workspace.envVars.PBX_ACCEPT_TERMS = NEW_TERMS;
    await engine.destroy();
    expect(await statuses(backend)).toEqual(["cancellation-scheduled", "cancellation-scheduled"]);
    expect(await cancelledUnder(backend)).toEqual([NEW_TERMS, NEW_TERMS]);
  });

  it("cancels under stack config pbx:acceptTerms once an up recorded it", async () => {
    await using backend = await startTestBackend({ restartable: true });
    await using engine = await estateEngine(backend, licences());
    await refusedAfterNewTerms(backend, engine);

    await engine.stack.setConfig("pbx:acceptTerms", { value: NEW_TERMS });
    await engine.up();
    await engine.destroy();
    expect(await statuses(backend)).toEqual(["cancellation-scheduled", "cancellation-scheduled"]);
    expect(await cancelledUnder(backend)).toEqual([NEW_TERMS, NEW_TERMS]);
  });

  it("cancels under the terms the program declares once an up recorded them, ordering nothing", async () => {
    await using backend = await startTestBackend({ restartable: true });
    await using engine = await estateEngine(backend, licences());
    await refusedAfterNewTerms(backend, engine);

    engine.setProgram(licences(NEW_TERMS));
    await engine.up();
    // Declaring new terms changes what state records; every order is still the first up's.
    expect(
      (await backend.call<{ termsVersion: string }[]>("GET", "/v1/orders")).body.map((o) => o.termsVersion),
    ).not.toContain(NEW_TERMS);
    await engine.destroy();
    expect(await statuses(backend)).toEqual(["cancellation-scheduled", "cancellation-scheduled"]);
    expect(await cancelledUnder(backend)).toEqual([NEW_TERMS, NEW_TERMS]);
  });
});
