/**
 * ServiceSubscription hooks on a fake API (provider/testing/fake-pbx-api.ts): what a licence costs a user —
 * a licence pending cancellation claimed instead of a new order, cancellation dates and the service terms
 * a cancellation accepts. The real engine and backend are in test/provider/.
 */
import { describe, expect, it } from "vitest";
import { rememberCheck } from "../identity.ts";
import { hooksFor } from "../index.ts";
import { FAKE_ACCOUNT, FAKE_TERMS, fakeContext } from "../testing/fake-pbx-api.ts";
import { subscriptionHooks } from "./hooks.ts";

const reference = "pbx:0a1b2c3d:ada-desk-licence.0123456789abcdef0123";
const declared = { product: "sip-device-licence", termsVersion: FAKE_TERMS };

describe("ServiceSubscription diff", () => {
  it("replaces a licence of another product, changes a call plan in place, and reinstates one cancelled in the portal", async () => {
    const { diff } = hooksFor("subscription");
    const olds = {
      product: "user-licence",
      callPlan: "national-unlimited",
      termsVersion: FAKE_TERMS,
      status: "active",
    };
    expect(await diff("sub_x", olds, { ...olds, product: "sip-device-licence", callPlan: undefined })).toMatchObject({
      changes: true,
      replaces: ["product"],
    });
    expect(await diff("sub_x", olds, { ...olds, callPlan: "international" })).toMatchObject({
      changes: true,
      replaces: [],
    });
    expect(await diff("sub_x", { ...olds, status: "cancellation-scheduled" }, olds)).toMatchObject({
      changes: true,
      replaces: [],
    });
    expect((await diff("sub_x", olds, { ...olds, removal: "end-of-month", claimPending: true })).changes).toBe(false);
  });
});

describe("ServiceSubscription create", () => {
  it("claims a licence pending cancellation instead of ordering one, and says so", async () => {
    const { ctx, api, logged } = fakeContext();
    const pending = api.addSubscription({
      product: "sip-device-licence",
      status: "cancellation-scheduled",
      cancellationEffectiveAt: "2026-11-30T23:59:59.999Z",
    });
    rememberCheck(reference, false);
    const { id, outs } = await subscriptionHooks.create(ctx, { ...declared, clientReference: reference });
    expect(id).toBe(pending.id);
    expect(api.calls.some((c) => c.startsWith("order"))).toBe(false);
    expect(outs).toMatchObject({ status: "active", claimedFromPending: true, clientReference: reference });
    expect(api.subscriptionsById.get(id)?.clientReference).toBe(reference);
    expect(logged).toEqual([
      expect.stringMatching(
        /^info: claimed licence ada-desk-licence \(sip-device-licence sub_\w+\), which was pending cancellation/,
      ),
    ]);
  });

  it("orders a new licence when claiming is turned off, recording its price", async () => {
    const { ctx, api } = fakeContext();
    api.addSubscription({ product: "sip-device-licence", status: "cancellation-scheduled" });
    rememberCheck(reference, false);
    const { id, outs } = await subscriptionHooks.create(ctx, {
      ...declared,
      claimPending: false,
      clientReference: reference,
    });
    expect(api.calls.filter((c) => c.startsWith("order"))).toHaveLength(1);
    expect(outs).toMatchObject({
      status: "active",
      priceMinor: 300,
      currency: "GBP",
      accountId: FAKE_ACCOUNT.accountId,
    });
    expect(outs).toMatchObject({ claimPending: false }); // off its default, so recorded
    expect(api.subscriptionsById.get(id)?.clientReference).toBe(reference);
  });

  it("refuses to adopt a licence of another product", async () => {
    const { ctx, api } = fakeContext();
    const other = api.addSubscription({ product: "user-licence", callPlan: "national-unlimited" });
    await expect(
      subscriptionHooks.create(ctx, { ...declared, adopt: other.id, clientReference: reference }),
    ).rejects.toThrow(`adopt: subscription ${other.id} is a user-licence, not a sip-device-licence`);
  });
});

describe("ServiceSubscription read, update and delete", () => {
  it("reports a cancelled licence as gone", async () => {
    const { ctx, api } = fakeContext();
    const cancelled = api.addSubscription({
      product: "sip-device-licence",
      status: "cancelled",
      clientReference: reference,
    });
    expect(await subscriptionHooks.read(ctx, cancelled.id, { ...declared, clientReference: reference })).toEqual({});
  });

  it("reinstates a licence scheduled for cancellation in the portal", async () => {
    const { ctx, api } = fakeContext();
    const s = api.addSubscription({
      product: "sip-device-licence",
      status: "cancellation-scheduled",
      clientReference: reference,
    });
    const { outs } = await subscriptionHooks.update(
      ctx,
      s.id,
      { ...declared, clientReference: reference, status: "cancellation-scheduled" },
      declared,
    );
    expect(outs).toMatchObject({ status: "active", clientReference: reference });
  });

  it("schedules the cancellation for the end of the month and says when it takes effect", async () => {
    const { ctx, api, logged } = fakeContext();
    const s = api.addSubscription({ product: "sip-device-licence", clientReference: reference });
    await subscriptionHooks.delete(ctx, s.id, { ...declared, clientReference: reference });
    expect(api.subscriptionsById.get(s.id)?.status).toBe("cancellation-scheduled");
    expect(logged).toEqual([
      `info: licence ada-desk-licence (sip-device-licence ${s.id}): cancellation scheduled, takes effect 2026-11-30T23:59:59.999Z (end of the month in Europe/London; no pro-rata refund)`,
    ]);
  });

  it("cancels accepting the terms the run accepts, over those recorded, and otherwise says which terms to accept", async () => {
    const old = { ...declared, termsVersion: "2024-01", clientReference: reference };
    const accepting = fakeContext({ acceptTerms: FAKE_TERMS });
    const s = accepting.api.addSubscription({ product: "sip-device-licence", clientReference: reference });
    await subscriptionHooks.delete(accepting.ctx, s.id, old);
    expect(accepting.api.calls).toContain(`cancel ${s.id} {"effective":"end-of-month","termsVersion":"${FAKE_TERMS}"}`);

    const { ctx, api } = fakeContext();
    const t = api.addSubscription({ product: "sip-device-licence", clientReference: reference });
    await expect(subscriptionHooks.delete(ctx, t.id, old)).rejects.toThrow(
      `licence ada-desk-licence (${t.id}): the service terms are now ${FAKE_TERMS}; accept them (acceptTerms: "${FAKE_TERMS}" in the estate`,
    );
    expect(api.subscriptionsById.get(t.id)?.status).toBe("active");
  });
});
