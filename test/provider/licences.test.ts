/**
 * Licences and replacement: a licence pending cancellation is claimed back instead of ordering a new one
 * (unless told not to), `removal: immediately` ends licences at once, and a forced replacement makes a new
 * device even though a retried create would adopt.
 */
import { describe, expect, it } from "vitest";
import { ServiceSubscription, SipDevice } from "../../sdk/index.ts";
import { estateEngine, startTestBackend, TERMS } from "./harness.ts";
import { johnEstate } from "./estate.ts";

interface Sub {
  id: string;
  status: string;
  cancellationEffectiveAt: string | null;
}

describe("licences", () => {
  it("claims back licences pending cancellation instead of ordering again, and orders anew when told not to", async () => {
    await using backend = await startTestBackend();
    let claimPending = true;
    await using engine = await estateEngine(backend, async () => {
      new ServiceSubscription("desk-licence", { product: "sip-device-licence", termsVersion: TERMS, claimPending });
    });
    await engine.up();
    await engine.destroy();
    const [pending] = (await backend.call<Sub[]>("GET", "/v1/subscriptions")).body;
    expect(pending!.status).toBe("cancellation-scheduled");

    const again = await engine.up();
    expect(again.diagnostics.join("\n")).toContain(
      `claimed licence desk-licence (sip-device-licence ${pending!.id}), which was pending cancellation`,
    );
    const afterClaim = (await backend.call<Sub[]>("GET", "/v1/subscriptions")).body;
    expect(afterClaim).toEqual([
      expect.objectContaining({ id: pending!.id, status: "active", cancellationEffectiveAt: null }),
    ]);

    await engine.destroy();
    claimPending = false;
    await engine.up();
    const afterOrder = (await backend.call<Sub[]>("GET", "/v1/subscriptions")).body;
    expect(afterOrder).toHaveLength(2);
    expect(afterOrder.find((s) => s.id === pending!.id)!.status).toBe("cancellation-scheduled");
  });

  it("removal: immediately cancels at once on destroy", async () => {
    await using backend = await startTestBackend();
    await using engine = await estateEngine(backend, async () => {
      johnEstate({ removal: "immediately" });
    });
    await engine.up();
    await engine.destroy();
    const subs = (await backend.call<{ status: string }[]>("GET", "/v1/subscriptions")).body;
    expect(subs.map((s) => s.status)).toEqual(["cancelled", "cancelled", "cancelled"]);
  });

  it("a forced replacement (--replace) makes a new device with new credentials and removes the old one", async () => {
    await using backend = await startTestBackend();
    await using engine = await estateEngine(backend, async () => {
      const licence = new ServiceSubscription("desk-licence", { product: "sip-device-licence", termsVersion: TERMS });
      const spare = new ServiceSubscription("spare-licence", { product: "sip-device-licence", termsVersion: TERMS });
      new SipDevice("desk", { name: "Reception Desk", licenceId: licence.id });
      return { spare: spare.id };
    });
    await engine.up();
    const [before] = (await backend.call<{ id: string; sipUsername: string }[]>("GET", "/v1/devices")).body;
    const urn = (await engine.preview()).steps.find((s) => s.name === "desk")!.urn;

    const replaced = await engine.stack.up({ replace: [urn] });
    expect(replaced.summary.resourceChanges?.replace).toBe(1);
    const after = (await backend.call<{ id: string; sipUsername: string }[]>("GET", "/v1/devices")).body;
    expect(after).toHaveLength(1);
    expect(after[0]!.id).not.toBe(before!.id);
    expect(after[0]!.sipUsername).not.toBe(before!.sipUsername);
    await engine.preview({ expectNoChanges: true });
  });
});
