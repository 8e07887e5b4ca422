/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access -- black-box tests read untyped JSON bodies */
// Every read and write is confined to the token's account: another account's objects answer 404 and stay as they were.
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Backend } from "../../backend/server.ts";
import { describeEachStore, newAccount, order, start, userBody, TERMS, type Client } from "./harness.ts";

describeEachStore("cross-account isolation", (store) => {
  let backend: Backend;
  beforeAll(async () => {
    backend = await start(store);
  });
  afterAll(async () => backend.stop());

  async function snapshot(c: Client): Promise<unknown> {
    return {
      users: (await c.get("/v1/users")).body,
      devices: (await c.get("/v1/devices")).body,
      subscriptions: (await c.get("/v1/subscriptions")).body,
      changeSets: (await c.get("/v1/change-sets")).body,
      revisions: (await c.get("/v1/revisions")).body,
    };
  }

  it("answers 404 to another account's reads and writes, and changes nothing", async () => {
    const owner = await newAccount(backend);
    const intruder = await newAccount(backend);
    const [ul, dl] = await order(owner, [
      { product: "user-licence", callPlan: "pay-as-you-go" },
      { product: "sip-device-licence" },
    ]);
    const user = (await owner.post("/v1/users", userBody(ul!, "201"))).body.id;
    const device = (await owner.post("/v1/devices", { name: "Desk", licenceId: dl })).body.id;
    const ord = (await owner.get("/v1/orders")).body[0].id;
    const cs = (await owner.post("/v1/change-sets", {})).body.id;
    const before = await snapshot(owner);

    const attempts = [
      intruder.get(`/v1/users/${user}`),
      intruder.get(`/v1/devices/${device}`),
      intruder.get(`/v1/subscriptions/${ul}`),
      intruder.get(`/v1/orders/${ord}`),
      intruder.get(`/v1/change-sets/${cs}`),
      intruder.patch(`/v1/users/${user}`, { name: "Mallory" }),
      intruder.delete(`/v1/users/${user}`),
      intruder.patch(`/v1/devices/${device}`, { name: "Mallory" }),
      intruder.post(`/v1/devices/${device}/rotate-password`),
      intruder.delete(`/v1/devices/${device}`),
      intruder.post(`/v1/subscriptions/${dl}/cancel`, { termsVersion: TERMS }),
      intruder.post(`/v1/subscriptions/${ul}/call-plan`, { callPlan: "international" }),
      intruder.post(`/v1/subscriptions/${ul}/reinstate`, {}, { "if-match": '"1"' }),
      intruder.post(`/v1/change-sets/${cs}/apply`),
      intruder.delete(`/v1/change-sets/${cs}`),
      intruder.post(`/v1/users/${user}/devices`, { deviceId: device }),
    ];
    for (const r of await Promise.all(attempts)) {
      expect(r.status).toBe(404);
      expect(r.body.code).toBe("not-found");
    }
    // Using another account's licence in one's own objects is refused too.
    const borrowed = await intruder.post("/v1/devices", { name: "Borrowed", licenceId: dl });
    expect(borrowed.status).toBe(422);
    expect(borrowed.body.code).toBe("licence-not-found");
    expect((await intruder.get("/v1/users")).body).toEqual([]);
    // Listing by ids leaves another account's objects out, as a single read answers 404.
    expect((await intruder.get(`/v1/users?ids=${user}`)).body).toEqual([]);
    expect((await intruder.get(`/v1/devices?ids=${device}`)).body).toEqual([]);
    expect((await intruder.get(`/v1/subscriptions?ids=${ul},${dl}`)).body).toEqual([]);
    expect(await snapshot(owner)).toEqual(before);
  });

  it("lists by ids exactly the account's objects named, each once", async () => {
    const c = await newAccount(backend);
    const [ul, dl, spare] = await order(c, [
      { product: "user-licence", callPlan: "pay-as-you-go" },
      { product: "sip-device-licence" },
      { product: "sip-device-licence" },
    ]);
    const user = (await c.post("/v1/users", userBody(ul!, "201"))).body.id;
    const device = (await c.post("/v1/devices", { name: "Desk", licenceId: dl })).body.id;
    const other = (await c.post("/v1/devices", { name: "Other", licenceId: spare })).body.id;
    const ids = (r: { body: unknown }) => (r.body as { id: string }[]).map((o) => o.id);
    expect(ids(await c.get(`/v1/devices?ids=${device},${device},dev_doesnotexist00`))).toEqual([device]);
    expect((await c.get(`/v1/users?ids=${user}`)).body).toEqual([(await c.get(`/v1/users/${user}`)).body]);
    expect(ids(await c.get(`/v1/subscriptions?ids=${dl},${spare}`)).sort()).toEqual([dl!, spare!].sort());
    expect(ids(await c.get(`/v1/devices?ids=${other}`))).toEqual([other]);
    const bad = await c.get("/v1/devices?ids=not-an-id");
    expect(bad.status).toBe(422);
    expect(JSON.stringify(bad.body)).toContain("ids");
  });
});
