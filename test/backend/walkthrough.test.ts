/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access -- black-box tests read untyped JSON bodies */
// The seed article end to end: order, configure, apply, remove, cancel at the month end.
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Backend } from "../../backend/server.ts";
import { describeEachStore, newAccount, setClock, start, TERMS } from "./harness.ts";

describeEachStore("seed walkthrough", (store) => {
  let backend: Backend;
  beforeAll(async () => {
    backend = await start(store);
  });
  afterAll(async () => backend.stop());

  it("orders, configures John with his desk phone, applies, removes him and cancels both licences at the month end", async () => {
    await setClock(backend, "2025-03-14T10:00:00Z");
    const client = await newAccount(backend);
    const catalogue = await client.get("/v1/catalogue");
    expect(catalogue.body.termsVersion).toBe(TERMS);

    const ordered = await client.post("/v1/orders", {
      termsVersion: TERMS,
      items: [{ product: "user-licence", callPlan: "national-unlimited" }, { product: "sip-device-licence" }],
    });
    expect(ordered.status).toBe(201);
    const [userLicence, deviceLicence] = ordered.body.subscriptions.map((s: { id: string }) => s.id);

    const cs = await client.post("/v1/change-sets", { description: "John" });
    expect(cs.status).toBe(201);
    client.changeSet = cs.body.id;

    const device = await client.post("/v1/devices", { name: "John's Desk Phone", licenceId: deviceLicence });
    expect(device.status).toBe(201);
    expect(device.body.sipPassword.length).toBeGreaterThanOrEqual(20);
    expect(device.body.registrar).toEqual({ host: "sip.pbx-estate.test", port: 5061, transport: "tls" });
    expect(device.body.live).toBe(false);

    const john = await client.post("/v1/users", {
      name: "John",
      extension: "201",
      licenceId: userLicence,
      callPlan: "national-unlimited",
      areaPrefix: "020",
      outboundCallerId: "+442079460000",
      recording: { enabled: true, email: "john@example.com", subject: "John's calls" },
    });
    expect(john.status).toBe(201);
    const linked = await client.post(`/v1/users/${john.body.id}/devices`, { deviceId: device.body.id });
    expect(linked.status).toBe(200);
    expect(linked.body.deviceIds).toEqual([device.body.id]);

    // Before apply, the live configuration has nothing.
    client.changeSet = null;
    expect((await client.get(`/v1/users/${john.body.id}`)).status).toBe(404);

    const applied = await client.post(`/v1/change-sets/${cs.body.id}/apply`);
    expect(applied.status).toBe(200);
    expect(applied.body.revision).toBe(1);

    const liveJohn = await client.get(`/v1/users/${john.body.id}`);
    expect(liveJohn.status).toBe(200);
    expect(liveJohn.body).toMatchObject({
      name: "John",
      extension: "201",
      callPlan: "national-unlimited",
      deviceIds: [device.body.id],
      live: true,
      pending: false,
      version: 1,
    });
    expect(liveJohn.headers.get("etag")).toBe('"1"');
    const liveDevice = await client.get(`/v1/devices/${device.body.id}`);
    expect(liveDevice.body.sipPassword).toBeUndefined();
    expect(liveDevice.body.passwordFingerprint).toMatch(/^sha256:[0-9a-f]{16}$/);
    expect(liveDevice.body.userId).toBe(john.body.id);

    // Remove John, then the device, then cancel both subscriptions.
    expect((await client.delete(`/v1/users/${john.body.id}`, { "if-match": '"1"' })).status).toBe(204);
    expect((await client.delete(`/v1/devices/${device.body.id}`)).status).toBe(204);
    for (const id of [userLicence, deviceLicence]) {
      const c = await client.post(`/v1/subscriptions/${id}/cancel`, { effective: "end-of-month", termsVersion: TERMS });
      expect(c.status).toBe(200);
      expect(c.body.status).toBe("cancellation-scheduled");
      expect(c.body.cancellationEffectiveAt).toBe("2025-03-31T23:00:00.000Z"); // midnight BST (summer time since 30 March)
    }
    await setClock(backend, "2025-03-31T22:59:00Z"); // 23:59 BST on the 31st
    expect((await client.get(`/v1/subscriptions/${userLicence}`)).body.status).toBe("cancellation-scheduled");
    await setClock(backend, "2025-03-31T23:00:01Z");
    const after = await client.get(`/v1/subscriptions?status=cancelled`);
    expect(after.body.map((s: { id: string }) => s.id).sort()).toEqual([userLicence, deviceLicence].sort());
  });
});
