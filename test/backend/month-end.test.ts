/* eslint-disable @typescript-eslint/no-unsafe-member-access -- black-box tests read untyped JSON bodies */
// Cancellation at the month end in the account's time zone, and reinstating before it takes effect.
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Backend } from "../../backend/server.ts";
import { describeEachStore, newAccount, order, setClock, start, TERMS } from "./harness.ts";

describeEachStore("month end", (store) => {
  let backend: Backend;
  beforeAll(async () => {
    backend = await start(store);
  });
  afterAll(async () => backend.stop());

  it("keeps a licence cancelled on the 14th until the last minute of the month, then cancels it (UTC+13)", async () => {
    await setClock(backend, "2025-06-14T00:00:00Z");
    const c = await newAccount(backend, "Pacific/Tongatapu");
    const [sub] = await order(c, [{ product: "user-licence", callPlan: "pay-as-you-go" }]);
    const cancel = await c.post(`/v1/subscriptions/${sub}/cancel`, { termsVersion: TERMS });
    expect(cancel.body).toMatchObject({
      status: "cancellation-scheduled",
      cancellationEffectiveAt: "2025-06-30T11:00:00.000Z",
    });
    await setClock(backend, "2025-06-30T10:59:00Z"); // 23:59 on 30 June in Tonga
    expect((await c.get(`/v1/subscriptions/${sub}`)).body.status).toBe("cancellation-scheduled");
    await setClock(backend, "2025-06-30T11:00:30Z"); // just past midnight, 1 July in Tonga
    const after = await c.get(`/v1/subscriptions/${sub}`);
    expect(after.body).toMatchObject({ status: "cancelled", cancelledAt: "2025-06-30T11:00:00.000Z" });
  });

  it("ends a leap-year February after the 29th", async () => {
    await setClock(backend, "2024-02-14T12:00:00Z");
    const c = await newAccount(backend, "UTC");
    const [sub] = await order(c, [{ product: "sip-device-licence" }]);
    expect(
      (await c.post(`/v1/subscriptions/${sub}/cancel`, { effective: "end-of-month", termsVersion: TERMS })).body
        .cancellationEffectiveAt,
    ).toBe("2024-03-01T00:00:00.000Z");
    await setClock(backend, "2024-02-29T23:59:00Z");
    expect((await c.get(`/v1/subscriptions/${sub}`)).body.status).toBe("cancellation-scheduled");
    await setClock(backend, "2024-03-01T00:00:01Z");
    expect((await c.get(`/v1/subscriptions/${sub}`)).body.status).toBe("cancelled");
  });

  it("keeps a licence active when it is reinstated before the month end", async () => {
    await setClock(backend, "2025-03-14T10:00:00Z");
    const c = await newAccount(backend, "UTC");
    const [sub] = await order(c, [{ product: "sip-device-licence" }]);
    const cancelled = await c.post(`/v1/subscriptions/${sub}/cancel`, { termsVersion: TERMS });
    await setClock(backend, "2025-03-31T23:59:00Z");
    const reinstated = await c.post(
      `/v1/subscriptions/${sub}/reinstate`,
      {},
      { "if-match": cancelled.headers.get("etag") ?? "" },
    );
    expect(reinstated.status).toBe(200);
    expect(reinstated.body).toMatchObject({ status: "active", cancellationEffectiveAt: null });
    await setClock(backend, "2025-04-02T00:00:00Z");
    expect((await c.get(`/v1/subscriptions/${sub}`)).body.status).toBe("active");
  });

  it("lets only one of two clients reinstate the same pending licence", async () => {
    await setClock(backend, "2025-03-14T10:00:00Z");
    const c = await newAccount(backend, "UTC");
    const [sub] = await order(c, [{ product: "sip-device-licence" }]);
    const etag = (await c.post(`/v1/subscriptions/${sub}/cancel`, { termsVersion: TERMS })).headers.get("etag") ?? "";
    const answers = await Promise.all(
      [1, 2].map(() => c.post(`/v1/subscriptions/${sub}/reinstate`, {}, { "if-match": etag })),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([200, 412]);
  });

  it("records the claimant's client reference in the reinstating write, refusing one another licence carries", async () => {
    await setClock(backend, "2025-03-14T10:00:00Z");
    const c = await newAccount(backend, "UTC");
    const [sub, other] = await order(c, [
      { product: "sip-device-licence", clientReference: "team-a:desk" },
      { product: "sip-device-licence", clientReference: "team-a:soft" },
    ]);
    const etag = (await c.post(`/v1/subscriptions/${sub}/cancel`, { termsVersion: TERMS })).headers.get("etag") ?? "";
    const taken = await c.post(
      `/v1/subscriptions/${sub}/reinstate`,
      { clientReference: "team-a:soft" },
      { "if-match": etag },
    );
    expect(taken.status).toBe(409);
    expect(taken.body).toMatchObject({
      code: "client-reference-taken",
      existing: { kind: "subscription", id: other },
      fields: [{ path: "clientReference", rule: "unique" }],
    });
    const malformed = await c.post(
      `/v1/subscriptions/${sub}/reinstate`,
      { clientReference: "team b desk" },
      { "if-match": etag },
    );
    expect(malformed.status).toBe(422);
    expect(JSON.stringify(malformed.body)).toContain("clientReference");
    expect((await c.get(`/v1/subscriptions/${sub}`)).body).toMatchObject({
      status: "cancellation-scheduled",
      clientReference: "team-a:desk",
    });

    const claimed = await c.post(
      `/v1/subscriptions/${sub}/reinstate`,
      { clientReference: "team-b:desk" },
      { "if-match": etag },
    );
    expect(claimed.body).toMatchObject({ status: "active", clientReference: "team-b:desk" });
    const carrying = (await c.get("/v1/subscriptions?clientReference=team-b:desk")).body as { id: string }[];
    expect(carrying.map((s) => s.id)).toEqual([sub]);
  });

  it("cancels immediately when asked, with the effective instant now", async () => {
    await setClock(backend, "2025-03-14T10:00:00Z");
    const c = await newAccount(backend, "UTC");
    const [sub] = await order(c, [{ product: "sip-device-licence" }]);
    const r = await c.post(`/v1/subscriptions/${sub}/cancel`, { effective: "immediately", termsVersion: TERMS });
    expect(r.body.status).toBe("cancelled");
    expect(Date.parse(r.body.cancelledAt as string)).toBeGreaterThanOrEqual(Date.parse("2025-03-14T10:00:00Z"));
  });

  it("changes a user licence's call plan in place: one licence, new price", async () => {
    const c = await newAccount(backend, "UTC");
    const [sub] = await order(c, [{ product: "user-licence", callPlan: "pay-as-you-go" }]);
    const r = await c.post(`/v1/subscriptions/${sub}/call-plan`, { callPlan: "international" }, { "if-match": '"1"' });
    expect(r.body).toMatchObject({
      id: sub,
      callPlan: "international",
      monthlyPrice: { amountMinor: 2300, currency: "GBP" },
      version: 2,
    });
    expect((await c.get("/v1/subscriptions")).body).toHaveLength(1);
    expect((await c.get("/v1/subscriptions?callPlan=international&status=active")).body).toHaveLength(1);
  });
});
