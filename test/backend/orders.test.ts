/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-return -- black-box tests read untyped JSON bodies */
// Orders under retries: one Idempotency-Key makes exactly one order, even when the answer was lost after commit.
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Backend } from "../../backend/server.ts";
import { describeEachStore, newAccount, order, start, TERMS, testHookHeaders } from "./harness.ts";

describeEachStore("orders", (store) => {
  let backend: Backend;
  beforeAll(async () => {
    backend = await start(store);
  });
  afterAll(async () => backend.stop());

  it("makes exactly one subscription under 20 concurrent retries with one Idempotency-Key", async () => {
    const c = await newAccount(backend);
    const body = { termsVersion: TERMS, items: [{ product: "user-licence", callPlan: "international" }] };
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => c.post("/v1/orders", body, { "idempotency-key": "order-42" })),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(201));
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    expect((await c.get("/v1/subscriptions")).body).toHaveLength(1);
  });

  it("answers a retry of an order whose response was dropped after commit with the same subscription", async () => {
    const c = await newAccount(backend);
    const faults = await fetch(`${backend.url}/__test/faults`, {
      method: "PUT",
      headers: testHookHeaders(backend),
      body: JSON.stringify({ rules: [{ method: "POST", path: "^/v1/orders$", action: "drop" }] }),
    });
    expect(faults.status).toBe(200);
    const body = { termsVersion: TERMS, items: [{ product: "sip-device-licence" }] };
    await expect(c.post("/v1/orders", body, { "idempotency-key": "lost-1" })).rejects.toThrow();
    const retry = await c.post("/v1/orders", body, { "idempotency-key": "lost-1" });
    expect(retry.status).toBe(201);
    const subs = (await c.get("/v1/subscriptions")).body;
    expect(subs).toHaveLength(1);
    expect(retry.body.subscriptions[0].id).toBe(subs[0].id);
  });

  it("answers a create with an order clientReference already used with the existing order (200)", async () => {
    const c = await newAccount(backend);
    const body = { termsVersion: TERMS, items: [{ product: "sip-device-licence" }], clientReference: "ord-1" };
    const first = await c.post("/v1/orders", body);
    const second = await c.post("/v1/orders", body);
    expect([first.status, second.status]).toEqual([201, 200]);
    expect(second.body.id).toBe(first.body.id);
    expect((await c.get("/v1/orders?clientReference=ord-1")).body.map((o: { id: string }) => o.id)).toEqual([
      first.body.id,
    ]);
  });

  it("holds the response of a chosen request after commit until released", async () => {
    const c = await newAccount(backend);
    await fetch(`${backend.url}/__test/faults`, {
      method: "PUT",
      headers: testHookHeaders(backend),
      body: JSON.stringify({ rules: [{ method: "POST", path: "^/v1/orders$", action: "hold" }] }),
    });
    const held = c.post("/v1/orders", { termsVersion: TERMS, items: [{ product: "sip-device-licence" }] });
    // The order is committed while its response is held: poll until it is visible.
    let seen = 0;
    for (let i = 0; i < 200 && seen === 0; i++) {
      seen = (await c.get("/v1/subscriptions")).body.length;
      if (seen === 0) await new Promise((r) => setTimeout(r, 10));
    }
    expect(seen).toBe(1);
    await fetch(`${backend.url}/__test/faults/release`, { method: "POST", headers: testHookHeaders(backend) });
    expect((await held).status).toBe(201);
  });

  it("answers a share of requests with 503 and Retry-After when asked to", async () => {
    const c = await newAccount(backend);
    await fetch(`${backend.url}/__test/faults`, {
      method: "PUT",
      headers: testHookHeaders(backend),
      body: JSON.stringify({ errorShare: { status: 503, every: 2, retryAfterSeconds: 3 } }),
    });
    const a = await c.get("/v1/whoami");
    const b = await c.get("/v1/whoami");
    await fetch(`${backend.url}/__test/faults`, { method: "PUT", headers: testHookHeaders(backend), body: "{}" });
    expect([a.status, b.status]).toEqual([200, 503]);
    expect(b.headers.get("retry-after")).toBe("3");
    expect(b.body.code).toBe("unavailable");
  });

  it("shows each subscription's holder as live now: after a device moves to another licence, and once it is deleted", async () => {
    const c = await newAccount(backend);
    const [first, second] = await order(c, [{ product: "sip-device-licence" }, { product: "sip-device-licence" }]);
    const device = (await c.post("/v1/devices", { name: "Desk", licenceId: first })).body.id;
    const holders = async () => {
      const listed = (await c.get(`/v1/subscriptions?ids=${first},${second}`)).body.map(
        (s: { id: string; holder: unknown }) => [s.id, s.holder],
      );
      const one = [
        (await c.get(`/v1/subscriptions/${first}`)).body.holder,
        (await c.get(`/v1/subscriptions/${second}`)).body.holder,
      ];
      expect(listed.map(([, h]: [string, unknown]) => h)).toEqual(one);
      return one;
    };
    expect(await holders()).toEqual([{ kind: "device", id: device, name: "Desk" }, null]);
    expect((await c.patch(`/v1/devices/${device}`, { licenceId: second, name: "Desk 2" })).status).toBe(200);
    expect(await holders()).toEqual([null, { kind: "device", id: device, name: "Desk 2" }]);
    expect((await c.get(`/v1/subscriptions?held=true`)).body.map((s: { id: string }) => s.id)).toEqual([second]);
    expect((await c.delete(`/v1/devices/${device}`)).status).toBe(204);
    expect(await holders()).toEqual([null, null]);
  });
});
