/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access -- black-box tests read untyped JSON bodies */
// A cancellation accepts the service terms like an order: it carries the catalogue's current terms
// version, is refused without it (naming the rule and the version to accept), and its audit entry
// records the terms it accepted. A backend started with new terms refuses the old ones for both.
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Backend } from "../../backend/server.ts";
import { describeEachStore, newAccount, order, start, TERMS, type Answer, type Client } from "./harness.ts";

const NEW_TERMS = "2025-07";

function expectTermsRefused(r: Answer, acceptVersion: string): void {
  expect(r.headers.get("content-type")).toContain("application/problem+json");
  expect({ status: r.status, code: r.body?.code, acceptVersion: r.body?.acceptVersion }).toEqual({
    status: 422,
    code: "terms-not-accepted",
    acceptVersion,
  });
  expect(r.body.fields).toEqual([
    { path: "termsVersion", rule: "current-terms", message: `must be the current terms version ${acceptVersion}` },
  ]);
  expect(r.body.detail).toContain(`a cancellation must accept the current service terms ${acceptVersion}`);
}

describeEachStore("cancellations accept the service terms", (store) => {
  let backend: Backend;
  let c: Client;
  beforeAll(async () => {
    backend = await start(store);
    c = await newAccount(backend);
  });
  afterAll(async () => backend.stop());

  const status = async (id: string): Promise<string> =>
    ((await c.get(`/v1/subscriptions/${id}`)).body as { status: string }).status;

  it("refuses a cancellation that carries no terms, as a client written before sent it, naming the version", async () => {
    const [licence] = await order(c, [{ product: "sip-device-licence" }]);
    const noBody = await fetch(`${backend.url}/v1/subscriptions/${licence}/cancel`, {
      method: "POST",
      headers: { authorization: `Bearer ${c.token}` },
    });
    expectTermsRefused({ status: noBody.status, headers: noBody.headers, body: await noBody.json() }, TERMS);
    const withoutTerms = await c.post(`/v1/subscriptions/${licence}/cancel`, { effective: "immediately" });
    expectTermsRefused(withoutTerms, TERMS);
    expect(withoutTerms.body.detail).toContain("sends no termsVersion");
    expect(await status(licence!)).toBe("active");
  });

  it("refuses a cancellation that accepts other terms", async () => {
    const [licence] = await order(c, [{ product: "sip-device-licence" }]);
    const r = await c.post(`/v1/subscriptions/${licence}/cancel`, {
      effective: "immediately",
      termsVersion: "2019-01",
    });
    expectTermsRefused(r, TERMS);
    expect(r.body.detail).toContain("accepts terms 2019-01");
    expect(await status(licence!)).toBe("active");
  });

  it("cancels with the current terms and records them in the audit entry", async () => {
    const [licence] = await order(c, [{ product: "sip-device-licence" }]);
    const r = await c.post(`/v1/subscriptions/${licence}/cancel`, { termsVersion: TERMS });
    expect(r.status).toBe(200);
    expect(r.body.status).toBe("cancellation-scheduled");
    const entries = (
      (await c.get("/v1/audit?limit=1000")).body as {
        action: string;
        objectId: string;
        detail: Record<string, unknown>;
      }[]
    ).filter((e) => e.objectId === licence && e.action === "subscription.cancel");
    expect(entries).toHaveLength(1);
    expect(entries[0]?.detail).toMatchObject({ status: "cancellation-scheduled", termsVersion: TERMS });
  });

  it("keeps the rule inside a batch: each cancellation is answered as if sent alone", async () => {
    const [refused, accepted] = await order(c, [{ product: "sip-device-licence" }, { product: "sip-device-licence" }]);
    const answer = await c.post("/v1/batch", {
      requests: [
        { method: "POST", path: `/v1/subscriptions/${refused}/cancel`, body: { effective: "immediately" } },
        {
          method: "POST",
          path: `/v1/subscriptions/${accepted}/cancel`,
          body: { effective: "immediately", termsVersion: TERMS },
        },
      ],
    });
    expect(answer.status).toBe(200);
    const [first, second] = answer.body.responses;
    expect({ status: first.status, code: first.body.code, acceptVersion: first.body.acceptVersion }).toEqual({
      status: 422,
      code: "terms-not-accepted",
      acceptVersion: TERMS,
    });
    expect(second.status).toBe(200);
    expect(await status(refused!)).toBe("active");
    expect(await status(accepted!)).toBe("cancelled");
  });

  it("on a backend started with new terms, refuses orders and cancellations under the old ones and takes the new", async () => {
    const renewed = await start(store, { termsVersion: NEW_TERMS });
    try {
      const client = await newAccount(renewed);
      expect((await client.get("/v1/catalogue")).body.termsVersion).toBe(NEW_TERMS);
      const oldOrder = await client.post("/v1/orders", {
        termsVersion: TERMS,
        items: [{ product: "sip-device-licence" }],
      });
      expect({ status: oldOrder.status, code: oldOrder.body.code, acceptVersion: oldOrder.body.acceptVersion }).toEqual(
        { status: 422, code: "terms-not-accepted", acceptVersion: NEW_TERMS },
      );
      const ordered = await client.post("/v1/orders", {
        termsVersion: NEW_TERMS,
        items: [{ product: "sip-device-licence" }],
      });
      expect(ordered.status).toBe(201);
      const licence = ordered.body.subscriptions[0].id as string;
      expectTermsRefused(await client.post(`/v1/subscriptions/${licence}/cancel`, { termsVersion: TERMS }), NEW_TERMS);
      const cancelled = await client.post(`/v1/subscriptions/${licence}/cancel`, { termsVersion: NEW_TERMS });
      expect(cancelled.status).toBe(200);
      expect(cancelled.body.status).toBe("cancellation-scheduled");
    } finally {
      await renewed.stop();
    }
  });
});
