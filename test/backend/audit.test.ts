// The audit log keeps what happened to a licence in the API's own terms, dates included (a cancellation
// also the service terms it accepted), and says which rows were written before it did.
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Backend } from "../../backend/server.ts";
import { describeEachStore, newAccount, order, start, TERMS, type Client } from "./harness.ts";

interface Entry {
  action: string;
  objectId: string | null;
  detail: Record<string, unknown>;
  detailFormat: number;
}
interface Licence {
  version: number;
  status: string;
  cancellationEffectiveAt: string | null;
  cancelledAt: string | null;
}

describeEachStore("audit log", (store) => {
  let backend: Backend;
  let c: Client;
  beforeAll(async () => {
    backend = await start(store, { clockStart: new Date("2025-03-14T10:00:00Z"), testHooks: { clock: true } });
    c = await newAccount(backend, "America/New_York");
  });
  afterAll(async () => backend.stop());

  const entriesFor = async (id: string) =>
    ((await c.get("/v1/audit")).body as Entry[]).filter((e) => e.objectId === id);

  it("records a cancellation and a reinstatement with the licence's fields as the API shows them", async () => {
    const [later, now] = await order(c, [{ product: "sip-device-licence" }, { product: "sip-device-licence" }]);
    const scheduled = (
      await c.post(`/v1/subscriptions/${later}/cancel`, { effective: "end-of-month", termsVersion: TERMS })
    ).body as Licence;
    const cancelled = (
      await c.post(`/v1/subscriptions/${now}/cancel`, { effective: "immediately", termsVersion: TERMS })
    ).body as Licence;
    expect(scheduled.cancellationEffectiveAt).toBe("2025-04-01T04:00:00.000Z");

    const [cancelOfLater] = (await entriesFor(later!)).filter((e) => e.action === "subscription.cancel");
    expect(cancelOfLater).toMatchObject({
      detailFormat: 2,
      detail: {
        status: "cancellation-scheduled",
        cancellationEffectiveAt: scheduled.cancellationEffectiveAt,
        cancelledAt: null,
        termsVersion: TERMS,
      },
    });
    const [cancelOfNow] = (await entriesFor(now!)).filter((e) => e.action === "subscription.cancel");
    expect(cancelOfNow?.detail).toEqual({
      status: "cancelled",
      cancellationEffectiveAt: cancelled.cancellationEffectiveAt,
      cancelledAt: cancelled.cancelledAt,
      termsVersion: TERMS,
    });
    expect(cancelled.cancelledAt).toMatch(/^2025-03-14T10:00:/);

    await c.post(`/v1/subscriptions/${later}/reinstate`, {}, { "if-match": `"${scheduled.version}"` });
    const [reinstate] = (await entriesFor(later!)).filter((e) => e.action === "subscription.reinstate");
    expect(reinstate).toMatchObject({
      detailFormat: 2,
      detail: { status: "active", cancellationEffectiveAt: null, cancelledAt: null },
    });
  });

  it("shows a row written before values were kept as the API shows them as it is, marked format 1", async () => {
    const [id] = await order(c, [{ product: "sip-device-licence" }]);
    const account = ((await c.get("/v1/whoami")).body as { accountId: string }).accountId;
    // What a cancellation wrote then: column names, and a date that JSON kept as {}.
    await backend.store.db
      .insertInto("audit")
      .values({
        account_id: account,
        at: new Date(),
        token_id: "tok_x",
        request_id: "r",
        action: "subscription.cancel",
        object_kind: "subscription",
        object_id: id!,
        detail: JSON.stringify({ status: "cancellation-scheduled", cancellation_effective_at: {}, cancelled_at: null }),
      })
      .execute();
    const [old] = (await entriesFor(id!)).filter((e) => e.action === "subscription.cancel");
    expect(old).toMatchObject({
      detailFormat: 1,
      detail: { status: "cancellation-scheduled", cancellation_effective_at: {}, cancelled_at: null },
    });
  });
});
