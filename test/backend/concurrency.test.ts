// Simultaneous writers: no lost update, no duplicate extension, no licence held twice.
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Backend } from "../../backend/server.ts";
import { describeEachStore, newAccount, order, start, userBody, TERMS } from "./harness.ts";

describeEachStore("concurrent writers", (store) => {
  let backend: Backend;
  beforeAll(async () => {
    backend = await start(store);
  });
  afterAll(async () => backend.stop());

  it("loses no update when 30 clients each change a different field of one user at once", async () => {
    const c = await newAccount(backend);
    const [lic] = await order(c, [{ product: "user-licence", callPlan: "pay-as-you-go" }]);
    const id = ((await c.post("/v1/users", userBody(lic!, "201"))).body as { id: string }).id;
    const patches = [
      ...Array.from({ length: 10 }, (_, i) => ({ name: `Name ${i}` })),
      ...Array.from({ length: 10 }, (_, i) => ({ areaPrefix: `0${i + 1}` })),
      ...Array.from({ length: 10 }, (_, i) => ({
        recording: { enabled: true, email: `r${i}@example.com`, subject: `s${i}` },
      })),
    ];
    const answers = await Promise.all(patches.map((p) => c.patch(`/v1/users/${id}`, p)));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    const u = (await c.get(`/v1/users/${id}`)).body as {
      version: number;
      name: string;
      areaPrefix: string;
      recording: { enabled: boolean };
      extension: string;
    };
    expect(u.version).toBe(31);
    expect(u.name).toMatch(/^Name \d$/);
    expect(u.areaPrefix).toMatch(/^0\d+$/);
    expect(u.recording.enabled).toBe(true);
    expect(u.extension).toBe("201");
  });

  it("gives one extension to exactly one of 10 simultaneous creates, and one licence to exactly one of 10 devices", async () => {
    const c = await newAccount(backend);
    const licences = await order(
      c,
      Array.from({ length: 10 }, () => ({ product: "user-licence", callPlan: "pay-as-you-go" })),
    );
    const users = await Promise.all(licences.map((l, i) => c.post("/v1/users", userBody(l, "555", { name: `U${i}` }))));
    expect(users.map((u) => u.status).sort()).toEqual([201, ...Array<number>(9).fill(409)]);
    const [dl] = await order(c, [{ product: "sip-device-licence" }]);
    const devices = await Promise.all(
      Array.from({ length: 10 }, (_, i) => c.post("/v1/devices", { name: `D${i}`, licenceId: dl })),
    );
    expect(devices.map((d) => d.status).sort()).toEqual([201, ...Array<number>(9).fill(409)]);
    expect(((await c.get("/v1/devices")).body as unknown[]).length).toBe(1);
  });

  it("never lets a device take a licence cancelled at the same moment", async () => {
    const c = await newAccount(backend);
    const licences = await order(
      c,
      Array.from({ length: 8 }, () => ({ product: "sip-device-licence" })),
    );
    const results = await Promise.all(
      licences.flatMap((l, i) => [
        c.post(`/v1/subscriptions/${l}/cancel`, { effective: "immediately", termsVersion: TERMS }),
        c.post("/v1/devices", { name: `D${i}`, licenceId: l }),
      ]),
    );
    const devices = (await c.get("/v1/devices")).body as { licenceId: string }[];
    const subs = (await c.get("/v1/subscriptions")).body as { id: string; status: string }[];
    for (const d of devices) expect(subs.find((s) => s.id === d.licenceId)?.status).toBe("active");
    expect(results.every((r) => r.status === 200 || r.status === 201 || r.status === 409)).toBe(true);
  });

  it("answers 29 simultaneous subscription changes each as if alone: the held licence and the stale version fail alone", async () => {
    const c = await newAccount(backend);
    const licences = await order(
      c,
      Array.from({ length: 28 }, () => ({ product: "sip-device-licence" as const })),
    );
    const held = licences[0]!;
    expect((await c.post("/v1/devices", { name: "Desk", licenceId: held })).status).toBe(201);
    const results = await Promise.all([
      ...licences.map((l) => c.post(`/v1/subscriptions/${l}/cancel`, { termsVersion: TERMS })),
      c.post(
        `/v1/subscriptions/${licences[2]}/cancel`,
        { effective: "immediately", termsVersion: TERMS },
        { "if-match": '"7"' },
      ),
    ]);
    const status = (i: number) => results[i]?.status;
    expect(status(0)).toBe(409); // held by the device
    expect(
      results
        .slice(1, 28)
        .every((r) => r.status === 200 && (r.body as { status: string }).status === "cancellation-scheduled"),
    ).toBe(true);
    expect(status(28)).toBe(412); // no version 7: refused, and licence 2 stays merely scheduled
    const subs = (await c.get("/v1/subscriptions")).body as { id: string; status: string }[];
    expect(subs.filter((s) => s.status === "cancellation-scheduled")).toHaveLength(27);
    expect(subs.find((s) => s.id === held)?.status).toBe("active");
    expect(subs.find((s) => s.id === licences[2])?.status).toBe("cancellation-scheduled");
  });
});
