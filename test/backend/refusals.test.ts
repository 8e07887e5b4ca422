/* eslint-disable @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access -- black-box tests read untyped JSON bodies */
// Each refusal of the portal, with its status, problem code and the field or holder it names.
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Backend } from "../../backend/server.ts";
import { describeEachStore, newAccount, order, start, TERMS, userBody, type Answer } from "./harness.ts";

function expectProblem(r: Answer, status: number, code: string): void {
  expect(r.headers.get("content-type")).toContain("application/problem+json");
  expect({ status: r.status, code: r.body?.code }).toEqual({ status, code });
  expect(r.body.status).toBe(status);
}

describeEachStore("refusals", (store) => {
  let backend: Backend;
  beforeAll(async () => {
    backend = await start(store);
  });
  afterAll(async () => backend.stop());

  it("refuses an order that does not accept the current terms, naming the version to accept", async () => {
    const c = await newAccount(backend);
    const r = await c.post("/v1/orders", { termsVersion: "2019-01", items: [{ product: "sip-device-licence" }] });
    expectProblem(r, 422, "terms-not-accepted");
    expect(r.body.acceptVersion).toBe(TERMS);
    expect((await c.get("/v1/subscriptions")).body).toEqual([]);
  });

  it("refuses a request without a valid token", async () => {
    const c = await newAccount(backend);
    const r = await fetch(`${backend.url}/v1/whoami`, { headers: { authorization: "Bearer nope" } });
    expect(r.status).toBe(401);
    expect(((await r.json()) as { code: string }).code).toBe("unauthenticated");
    expect((await c.get("/v1/whoami")).status).toBe(200);
  });

  it("refuses a device on a licence that is held, naming the holder", async () => {
    const c = await newAccount(backend);
    const [lic] = await order(c, [{ product: "sip-device-licence" }]);
    const first = await c.post("/v1/devices", { name: "Desk", licenceId: lic });
    expect(first.status).toBe(201);
    const r = await c.post("/v1/devices", { name: "Other", licenceId: lic });
    expectProblem(r, 409, "licence-held");
    expect(r.body.holders).toEqual([{ kind: "device", id: first.body.id, name: "Desk" }]);
  });

  it("refuses a device on a cancelled licence and on a user licence", async () => {
    const c = await newAccount(backend);
    const [dev, usr] = await order(c, [
      { product: "sip-device-licence" },
      { product: "user-licence", callPlan: "pay-as-you-go" },
    ]);
    expect(
      (await c.post(`/v1/subscriptions/${dev}/cancel`, { effective: "immediately", termsVersion: TERMS })).status,
    ).toBe(200);
    expectProblem(await c.post("/v1/devices", { name: "Desk", licenceId: dev }), 409, "licence-cancelled");
    const wrong = await c.post("/v1/devices", { name: "Desk", licenceId: usr });
    expectProblem(wrong, 409, "licence-wrong-product");
    expect(wrong.body.product).toBe("user-licence");
  });

  it("refuses a device on a licence whose cancellation is scheduled", async () => {
    const c = await newAccount(backend);
    const [dev] = await order(c, [{ product: "sip-device-licence" }]);
    await c.post(`/v1/subscriptions/${dev}/cancel`, { termsVersion: TERMS });
    expectProblem(await c.post("/v1/devices", { name: "Desk", licenceId: dev }), 409, "licence-cancellation-scheduled");
  });

  it("refuses a licence that does not exist, naming the field", async () => {
    const c = await newAccount(backend);
    const r = await c.post("/v1/devices", { name: "Desk", licenceId: "sub_aaaaaaaaaaaaaaaaaaaa" });
    expectProblem(r, 422, "licence-not-found");
    expect(r.body.fields[0].path).toBe("licenceId");
  });

  it("refuses a user on a held user licence and on a device licence", async () => {
    const c = await newAccount(backend);
    const [usr, dev] = await order(c, [
      { product: "user-licence", callPlan: "international" },
      { product: "sip-device-licence" },
    ]);
    const u = await c.post("/v1/users", userBody(usr!, "201"));
    expect(u.status).toBe(201);
    const held = await c.post("/v1/users", userBody(usr!, "202"));
    expectProblem(held, 409, "licence-held");
    expect(held.body.holders).toEqual([{ kind: "user", id: u.body.id, name: "User 201" }]);
    expectProblem(await c.post("/v1/users", userBody(dev!, "203")), 409, "licence-wrong-product");
  });

  it("refuses a call plan that is not the licence's", async () => {
    const c = await newAccount(backend);
    const [usr] = await order(c, [{ product: "user-licence", callPlan: "pay-as-you-go" }]);
    const r = await c.post("/v1/users", userBody(usr!, "201", { callPlan: "international" }));
    expectProblem(r, 409, "call-plan-mismatch");
    expect(r.body.fields[0].path).toBe("callPlan");
  });

  it("refuses a caller ID that is not one of the account's numbers", async () => {
    const c = await newAccount(backend);
    const [usr] = await order(c, [{ product: "user-licence", callPlan: "pay-as-you-go" }]);
    const r = await c.post("/v1/users", userBody(usr!, "201", { outboundCallerId: "+15555550100" }));
    expectProblem(r, 422, "caller-id-not-owned");
    expect(r.body.fields[0].path).toBe("outboundCallerId");
  });

  it("refuses a second live user on the same extension, naming both", async () => {
    const c = await newAccount(backend);
    const [a, b] = await order(c, [
      { product: "user-licence", callPlan: "pay-as-you-go" },
      { product: "user-licence", callPlan: "pay-as-you-go" },
    ]);
    const first = await c.post("/v1/users", userBody(a!, "201"));
    const r = await c.post("/v1/users", userBody(b!, "201", { name: "Second" }));
    expectProblem(r, 409, "extension-taken");
    expect(r.body.holders.map((h: { id: string }) => h.id)).toContain(first.body.id);
    expect(r.body.holders).toHaveLength(2);
    expect((await c.get("/v1/users")).body).toHaveLength(1);
  });

  it("refuses to delete a device that is still linked to a user, naming the user", async () => {
    const c = await newAccount(backend);
    const [usr, dev] = await order(c, [
      { product: "user-licence", callPlan: "pay-as-you-go" },
      { product: "sip-device-licence" },
    ]);
    const d = await c.post("/v1/devices", { name: "Desk", licenceId: dev });
    const u = await c.post("/v1/users", userBody(usr!, "201"));
    await c.post(`/v1/users/${u.body.id}/devices`, { deviceId: d.body.id });
    const r = await c.delete(`/v1/devices/${d.body.id}`);
    expectProblem(r, 409, "device-linked");
    expect(r.body.holders).toEqual([{ kind: "user", id: u.body.id, name: "User 201" }]);
  });

  it("refuses to link a 21st device to a user, while a user created with 20 holds them all", async () => {
    const c = await newAccount(backend);
    const [usr, ...licences] = await order(c, [
      { product: "user-licence", callPlan: "pay-as-you-go" },
      ...Array.from({ length: 21 }, () => ({ product: "sip-device-licence" })),
    ]);
    const devices: string[] = [];
    for (const [i, licenceId] of licences.entries())
      devices.push((await c.post("/v1/devices", { name: `Phone ${i + 1}`, licenceId })).body.id);
    const u = await c.post("/v1/users", userBody(usr!, "201", { deviceIds: devices.slice(0, 20) }));
    expect(u.status).toBe(201);
    const r = await c.post(`/v1/users/${u.body.id}/devices`, { deviceId: devices[20] });
    expectProblem(r, 409, "too-many-devices");
    expect(r.body.limit).toBe(20);
    expect(((await c.get(`/v1/users/${u.body.id}`)).body.deviceIds as string[]).length).toBe(20);
  });

  it("refuses to cancel a licence that is still held, naming the holder", async () => {
    const c = await newAccount(backend);
    const [dev] = await order(c, [{ product: "sip-device-licence" }]);
    const d = await c.post("/v1/devices", { name: "Desk", licenceId: dev });
    const r = await c.post(`/v1/subscriptions/${dev}/cancel`, { termsVersion: TERMS });
    expectProblem(r, 409, "licence-held");
    expect(r.body.holders).toEqual([{ kind: "device", id: d.body.id, name: "Desk" }]);
    expect((await c.get(`/v1/subscriptions/${dev}`)).body.status).toBe("active");
  });

  it("refuses a stale If-Match with 412 and the current version", async () => {
    const c = await newAccount(backend);
    const [dev] = await order(c, [{ product: "sip-device-licence" }]);
    const d = await c.post("/v1/devices", { name: "Desk", licenceId: dev });
    expect((await c.patch(`/v1/devices/${d.body.id}`, { name: "Desk 2" }, { "if-match": '"1"' })).status).toBe(200);
    const r = await c.patch(`/v1/devices/${d.body.id}`, { name: "Lost update" }, { "if-match": '"1"' });
    expectProblem(r, 412, "version-mismatch");
    expect(r.body.currentVersion).toBe(2);
    expect((await c.get(`/v1/devices/${d.body.id}`)).body.name).toBe("Desk 2");
  });

  it("refuses reinstating without If-Match (428) and reinstating what is not scheduled (409)", async () => {
    const c = await newAccount(backend);
    const [dev] = await order(c, [{ product: "sip-device-licence" }]);
    expectProblem(await c.post(`/v1/subscriptions/${dev}/reinstate`, {}), 428, "precondition-required");
    expectProblem(await c.post(`/v1/subscriptions/${dev}/reinstate`, {}, { "if-match": '"1"' }), 409, "not-scheduled");
  });

  it("refuses another client's change set (403) and an applied one (409)", async () => {
    const c = await newAccount(backend);
    const cs = await c.post("/v1/change-sets", {});
    // A second token of the same account is another client.
    const { addToken } = await import("../../backend/accounts/store.ts");
    const whoami = await c.get("/v1/whoami");
    const other = await addToken(backend.store.db, whoami.body.accountId, new Date());
    const r = await fetch(`${backend.url}/v1/change-sets/${cs.body.id}/apply`, {
      method: "POST",
      headers: { authorization: `Bearer ${other.token}` },
    });
    expect(r.status).toBe(403);
    expect(((await r.json()) as { code: string }).code).toBe("change-set-not-yours");
    expect((await c.post(`/v1/change-sets/${cs.body.id}/apply`)).status).toBe(200);
    expectProblem(await c.post(`/v1/change-sets/${cs.body.id}/apply`), 409, "change-set-closed");
  });

  it("refuses to change the call plan of a device licence", async () => {
    const c = await newAccount(backend);
    const [dev] = await order(c, [{ product: "sip-device-licence" }]);
    expectProblem(
      await c.post(`/v1/subscriptions/${dev}/call-plan`, { callPlan: "international" }),
      409,
      "licence-wrong-product",
    );
  });

  it("refuses an Idempotency-Key reused with another body", async () => {
    const c = await newAccount(backend);
    const key = { "idempotency-key": "k-1" };
    expect(
      (await c.post("/v1/orders", { termsVersion: TERMS, items: [{ product: "sip-device-licence" }] }, key)).status,
    ).toBe(201);
    const r = await c.post(
      "/v1/orders",
      { termsVersion: TERMS, items: [{ product: "user-licence", callPlan: "international" }] },
      key,
    );
    expectProblem(r, 422, "idempotency-key-reused");
    expect((await c.get("/v1/subscriptions")).body).toHaveLength(1);
  });

  it("refuses an order item clientReference already used, naming the subscription", async () => {
    const c = await newAccount(backend);
    const [sub] = await order(c, [{ product: "sip-device-licence", clientReference: "desk-1" }]);
    const r = await c.post("/v1/orders", {
      termsVersion: TERMS,
      items: [{ product: "sip-device-licence", clientReference: "desk-1" }],
    });
    expectProblem(r, 409, "client-reference-taken");
    expect(r.body.existing).toEqual({ kind: "subscription", id: sub });
  });
});
