/* eslint-disable @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access -- black-box tests read untyped JSON bodies */
// POST /v1/batch: several requests in one round trip, each answered as if it had been sent alone.
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Backend } from "../../backend/server.ts";
import { describeEachStore, newAccount, order, start, userBody } from "./harness.ts";

describeEachStore("batch", (store) => {
  let backend: Backend;
  beforeAll(async () => {
    backend = await start(store);
  });
  afterAll(async () => backend.stop());

  it("answers each request with its own status and body, in order, and stages the accepted ones", async () => {
    const c = await newAccount(backend);
    const [userLicence, deskLicence] = await order(c, [
      { product: "user-licence", callPlan: "pay-as-you-go" },
      { product: "sip-device-licence" },
    ]);
    const cs = (await c.post("/v1/change-sets", {})).body.id;
    const staged = { "pbx-change-set": cs };
    const answer = await c.post("/v1/batch", {
      requests: [
        {
          method: "POST",
          path: "/v1/devices",
          headers: staged,
          body: { name: "Desk", licenceId: deskLicence, clientReference: "desk" },
        },
        { method: "POST", path: "/v1/devices", headers: staged, body: { name: "Second desk", licenceId: deskLicence } },
        { method: "POST", path: "/v1/users", headers: staged, body: userBody(userLicence!, "201", { name: "Alice" }) },
        { method: "POST", path: "/v1/users", headers: staged, body: { name: "" } },
        { method: "GET", path: "/v1/devices/dev_aaaaaaaaaaaaaaaaaaaa" },
        { method: "GET", path: "/v1/whoami" },
      ],
    });
    expect(answer.status).toBe(200);
    const responses = answer.body.responses;
    expect(responses.map((r: { status: number }) => r.status)).toEqual([201, 409, 201, 422, 404, 200]);
    expect(responses[0].body).toMatchObject({ name: "Desk", sipPassword: expect.any(String) });
    expect(responses[0].headers.etag).toBeDefined();
    expect(responses[1].body).toMatchObject({ code: "licence-held" });
    expect(responses[3].body.fields).toEqual(expect.arrayContaining([expect.objectContaining({ path: "name" })]));
    expect(responses[5].body.accountId).toBe((await c.get("/v1/whoami")).body.accountId);

    // Staged, not live, until the change set is applied: the batch saved round trips, it applied nothing.
    expect((await c.get("/v1/devices")).body).toEqual([]);
    expect((await c.post(`/v1/change-sets/${cs}/apply`)).status).toBe(200);
    expect((await c.get("/v1/devices")).body.map((d: { name: string }) => d.name)).toEqual(["Desk"]);
    expect((await c.get("/v1/users")).body.map((u: { name: string }) => u.name)).toEqual(["Alice"]);
  });

  it("serves every request with the batch's token only: another account's objects stay 404, and no token is 401", async () => {
    const mine = await newAccount(backend);
    const theirs = await newAccount(backend);
    const [licence] = await order(theirs, [{ product: "sip-device-licence" }]);
    const device = (await theirs.post("/v1/devices", { name: "Theirs", licenceId: licence })).body.id;
    const answer = await mine.post("/v1/batch", {
      requests: [
        { method: "GET", path: `/v1/devices/${device}` },
        { method: "PATCH", path: `/v1/devices/${device}`, body: { name: "Mine now" } },
      ],
    });
    expect(answer.body.responses.map((r: { status: number }) => r.status)).toEqual([404, 404]);
    expect((await theirs.get(`/v1/devices/${device}`)).body.name).toBe("Theirs");
    const anonymous = await fetch(`${backend.url}/v1/batch`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ requests: [{ method: "GET", path: "/v1/whoami" }] }),
    });
    expect(anonymous.status).toBe(401);
  });

  it("refuses a batch in a batch, a path outside the API, other headers and more than 100 requests, naming the field", async () => {
    const c = await newAccount(backend);
    const refusal = async (requests: unknown) => {
      const r = await c.post("/v1/batch", { requests });
      expect(r.status).toBe(422);
      return r.body.fields.map((f: { path: string }) => f.path);
    };
    expect(await refusal([{ method: "POST", path: "/v1/batch", body: { requests: [] } }])).toEqual(["requests.0.path"]);
    expect(await refusal([{ method: "GET", path: "/health" }])).toEqual(["requests.0.path"]);
    expect(await refusal([{ method: "GET", path: "/v1/whoami", headers: { authorization: "Bearer x" } }])).toEqual([
      "requests.0.headers.authorization",
    ]);
    expect(await refusal(Array.from({ length: 101 }, () => ({ method: "GET", path: "/v1/whoami" })))).toEqual([
      "requests",
    ]);
    expect(await refusal([])).toEqual(["requests"]);
  });
});
