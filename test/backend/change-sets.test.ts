/* eslint-disable @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access -- black-box tests read untyped JSON bodies */
// Save and apply: staged changes may pass through states the live rules forbid; apply checks the result.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Backend } from "../../backend/server.ts";
import { addToken } from "../../backend/accounts/store.ts";
import { Client, describeEachStore, newAccount, order, start, userBody, type StoreCase } from "./harness.ts";

describeEachStore("change sets", (store) => {
  let backend: Backend;
  beforeAll(async () => {
    backend = await start(store);
  });
  afterAll(async () => backend.stop());

  async function twoUsers(c: Client): Promise<{ a: string; b: string; devices: string[] }> {
    const [la, lb, d1] = await order(c, [
      { product: "user-licence", callPlan: "pay-as-you-go" },
      { product: "user-licence", callPlan: "pay-as-you-go" },
      { product: "sip-device-licence" },
    ]);
    const a = (await c.post("/v1/users", userBody(la!, "201", { name: "Alice" }))).body.id;
    const b = (await c.post("/v1/users", userBody(lb!, "202", { name: "Bob" }))).body.id;
    const dev = (await c.post("/v1/devices", { name: "Phone", licenceId: d1 })).body.id;
    await c.post(`/v1/users/${a}/devices`, { deviceId: dev });
    return { a, b, devices: [dev] };
  }

  it("applies two users swapping extensions and a device moving between users in one change set", async () => {
    const c = await newAccount(backend);
    const { a, b, devices } = await twoUsers(c);
    const cs = (await c.post("/v1/change-sets", { description: "swap" })).body.id;
    c.changeSet = cs;
    // Link before unlink and swap without a spare extension: both pass through forbidden states.
    expect((await c.post(`/v1/users/${b}/devices`, { deviceId: devices[0] })).status).toBe(200);
    expect((await c.patch(`/v1/users/${a}`, { extension: "202" })).status).toBe(200);
    expect((await c.patch(`/v1/users/${b}`, { extension: "201" })).status).toBe(200);
    expect((await c.delete(`/v1/users/${a}/devices/${devices[0]}`)).status).toBe(200);
    c.changeSet = null;

    // Live state is unchanged but shows pending changes.
    const liveA = await c.get(`/v1/users/${a}`);
    expect(liveA.body).toMatchObject({ extension: "201", deviceIds: devices, pending: true, pendingChangeSets: [cs] });
    const pendingList = await c.get("/v1/change-sets?status=open");
    expect(pendingList.body.map((x: { id: string }) => x.id)).toEqual([cs]);

    const applied = await c.post(`/v1/change-sets/${cs}/apply`);
    expect(applied.status).toBe(200);
    const after = await c.get("/v1/users");
    const byId = Object.fromEntries(after.body.map((u: { id: string }) => [u.id, u]));
    expect(byId[a]).toMatchObject({ extension: "202", deviceIds: [], pending: false });
    expect(byId[b]).toMatchObject({ extension: "201", deviceIds: devices });
    expect((await c.get(`/v1/devices/${devices[0]}`)).body.userId).toBe(b);
    // A listing names the device's new user as reading the device alone does.
    expect((await c.get("/v1/devices")).body).toEqual([(await c.get(`/v1/devices/${devices[0]}`)).body]);
    // The apply's answer shows what it touched exactly as a read now does, so a client needs no read-back.
    const inIdOrder = (list: { id: string }[]) => [...list].sort((x, y) => x.id.localeCompare(y.id));
    expect(inIdOrder(applied.body.users)).toEqual(inIdOrder([byId[a], byId[b]]));
    expect(applied.body.devices).toEqual([(await c.get(`/v1/devices/${devices[0]}`)).body]);
    const revisions = await c.get("/v1/revisions");
    expect(revisions.body.at(-1)).toMatchObject({ revision: applied.body.revision, changeSetId: cs, operations: 4 });
  });

  it("refuses a change set that would leave two users on one extension, naming both, and leaves live state unchanged", async () => {
    const c = await newAccount(backend);
    const { a, b } = await twoUsers(c);
    const before = await c.get("/v1/users");
    const cs = (await c.post("/v1/change-sets", {})).body.id;
    c.changeSet = cs;
    expect((await c.patch(`/v1/users/${a}`, { extension: "202" })).status).toBe(200);
    c.changeSet = null;
    const r = await c.post(`/v1/change-sets/${cs}/apply`);
    expect(r.status).toBe(409);
    expect(r.body.code).toBe("extension-taken");
    expect(r.body.holders.map((h: { id: string }) => h.id).sort()).toEqual([a, b].sort());
    const after = await c.get("/v1/users");
    expect(after.body.map((u: { extension: string; version: number }) => [u.extension, u.version])).toEqual(
      before.body.map((u: { extension: string; version: number }) => [u.extension, u.version]),
    );
    expect((await c.get(`/v1/change-sets/${cs}`)).body.status).toBe("open");
  });

  it("refuses a change set that would link one device to two users, naming both", async () => {
    const c = await newAccount(backend);
    const { a, b, devices } = await twoUsers(c);
    const cs = (await c.post("/v1/change-sets", {})).body.id;
    c.changeSet = cs;
    await c.post(`/v1/users/${b}/devices`, { deviceId: devices[0] });
    c.changeSet = null;
    const r = await c.post(`/v1/change-sets/${cs}/apply`);
    expect(r.status).toBe(409);
    expect(r.body.code).toBe("device-link-conflict");
    expect(r.body.holders.map((h: { id: string }) => h.id).sort()).toEqual([a, b].sort());
  });

  it("never applies another client's staged changes with mine", async () => {
    const c = await newAccount(backend);
    const { a, b } = await twoUsers(c);
    const accountId = (await c.get("/v1/whoami")).body.accountId;
    const other = new Client(backend.url, (await addToken(backend.store.db, accountId, new Date())).token);
    const theirs = (await other.post("/v1/change-sets", {})).body.id;
    other.changeSet = theirs;
    expect((await other.patch(`/v1/users/${b}`, { name: "Bob (theirs)" })).status).toBe(200);
    const mine = (await c.post("/v1/change-sets", {})).body.id;
    c.changeSet = mine;
    expect((await c.patch(`/v1/users/${a}`, { name: "Alice (mine)" })).status).toBe(200);
    // My change set is mine alone: the other client cannot stage into it.
    expect((await other.patch(`/v1/users/${a}`, { name: "x" }, { "pbx-change-set": mine })).status).toBe(403);
    c.changeSet = null;
    expect((await c.post(`/v1/change-sets/${mine}/apply`)).status).toBe(200);
    expect((await c.get(`/v1/users/${a}`)).body.name).toBe("Alice (mine)");
    expect((await c.get(`/v1/users/${b}`)).body).toMatchObject({
      name: "Bob",
      pending: true,
      pendingChangeSets: [theirs],
    });
    // Reading through their change set shows their staged change.
    expect((await other.get(`/v1/users/${b}`)).body.name).toBe("Bob (theirs)");
  });

  it("stages a user created with its devices as the user and its links, live together at apply", async () => {
    const c = await newAccount(backend);
    const [licence, l1, l2] = await order(c, [
      { product: "user-licence", callPlan: "pay-as-you-go" },
      { product: "sip-device-licence" },
      { product: "sip-device-licence" },
    ]);
    const d1 = (await c.post("/v1/devices", { name: "Desk", licenceId: l1 })).body.id;
    const d2 = (await c.post("/v1/devices", { name: "Soft", licenceId: l2 })).body.id;
    const cs = (await c.post("/v1/change-sets", {})).body.id;
    c.changeSet = cs;
    const made = await c.post("/v1/users", { ...userBody(licence!, "301", { name: "Carol" }), deviceIds: [d1, d2] });
    c.changeSet = null;
    expect(made.status).toBe(201);
    expect((await c.get(`/v1/devices/${d1}`)).body.userId).toBeNull(); // staged, not live
    const applied = await c.post(`/v1/change-sets/${cs}/apply`);
    expect(applied.body.users).toMatchObject([{ id: made.body.id, deviceIds: [d1, d2].sort() }]);
    expect((await c.get(`/v1/devices/${d2}`)).body.userId).toBe(made.body.id);
    const revisions = await c.get("/v1/revisions");
    expect(revisions.body.at(-1)).toMatchObject({ changeSetId: cs, operations: 3 });
  });

  it("answers an empty change set with the current revision", async () => {
    const c = await newAccount(backend);
    await twoUsers(c);
    const current = (await c.get("/v1/revisions")).body.at(-1).revision;
    const cs = (await c.post("/v1/change-sets", {})).body.id;
    const r = await c.post(`/v1/change-sets/${cs}/apply`);
    expect(r.body).toEqual({ revision: current, changeSetId: cs, users: [], devices: [] });
  });

  it("checks licence holding at staging time too", async () => {
    const c = await newAccount(backend);
    const [dev] = await order(c, [{ product: "sip-device-licence" }]);
    const cs = (await c.post("/v1/change-sets", {})).body.id;
    c.changeSet = cs;
    expect((await c.post("/v1/devices", { name: "A", licenceId: dev })).status).toBe(201);
    const r = await c.post("/v1/devices", { name: "B", licenceId: dev });
    expect(r.status).toBe(409);
    expect(r.body.code).toBe("licence-held");
  });

  it("stages 20 concurrent writes into one change set as if one by one: each answered, the one refused fails alone", async () => {
    const c = await newAccount(backend);
    const licences = await order(
      c,
      Array.from({ length: 19 }, () => ({ product: "sip-device-licence" as const })),
    );
    const cs = (await c.post("/v1/change-sets", {})).body.id;
    c.changeSet = cs;
    // The twentieth asks for a licence the first one takes: whichever is planned second is refused.
    const answers = await Promise.all(
      [...licences, licences[0]].map((licenceId, i) => c.post("/v1/devices", { name: `Phone ${i}`, licenceId })),
    );
    c.changeSet = null;
    expect(answers.filter((a) => a.status === 201)).toHaveLength(19);
    expect(answers.filter((a) => a.status === 409).map((a) => String(a.body.code))).toEqual(["licence-held"]);
    const applied = await c.post(`/v1/change-sets/${cs}/apply`);
    expect(applied.status).toBe(200);
    expect(applied.body.devices).toHaveLength(19);
    expect(new Set(applied.body.devices.map((d: { licenceId: string }) => d.licenceId)).size).toBe(19);
    expect((await c.get("/v1/revisions")).body.at(-1)).toMatchObject({ changeSetId: cs, operations: 19 });
  });

  it("refuses at apply a staged device whose licence another client took meanwhile", async () => {
    const c = await newAccount(backend);
    const [dev] = await order(c, [{ product: "sip-device-licence" }]);
    const cs = (await c.post("/v1/change-sets", {})).body.id;
    c.changeSet = cs;
    expect((await c.post("/v1/devices", { name: "Staged", licenceId: dev })).status).toBe(201);
    c.changeSet = null;
    const direct = await c.post("/v1/devices", { name: "Direct", licenceId: dev });
    expect(direct.status).toBe(201);
    const r = await c.post(`/v1/change-sets/${cs}/apply`);
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ code: "licence-held", holders: [{ kind: "device", id: direct.body.id }] });
  });

  it("finds what a create made by its clientReference, and answers a retried create with it", async () => {
    const c = await newAccount(backend);
    const [dev] = await order(c, [{ product: "sip-device-licence" }]);
    const first = await c.post("/v1/devices", { name: "Desk", licenceId: dev, clientReference: "desk-1" });
    expect(first.status).toBe(201);
    const again = await c.post("/v1/devices", { name: "Desk", licenceId: dev, clientReference: "desk-1" });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    expect(again.body.sipPassword).toBeUndefined();
    const found = await c.get("/v1/devices?clientReference=desk-1");
    expect(found.body.map((d: { id: string }) => d.id)).toEqual([first.body.id]);
  });
});

// The embedded store keeps each account's open change sets in memory; a restart must find them in the store.
describe("open change sets across a restart [embedded]", () => {
  it("stages into a change set opened before a restart and applies everything staged, while applied and discarded sets stay closed", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pbx-cs-restart-"));
    const store: StoreCase = { name: "embedded", options: { kind: "embedded", dataDir: join(dir, "data") } };
    let backend = await start(store);
    try {
      const first = await newAccount(backend);
      const [la, lb, lc] = await order(first, [
        { product: "user-licence", callPlan: "pay-as-you-go" },
        { product: "user-licence", callPlan: "pay-as-you-go" },
        { product: "user-licence", callPlan: "pay-as-you-go" },
      ]);
      const open = (await first.post("/v1/change-sets", {})).body.id;
      const applied = (await first.post("/v1/change-sets", {})).body.id;
      const discarded = (await first.post("/v1/change-sets", {})).body.id;
      const alice = (await first.post("/v1/users", userBody(la!, "201", { name: "Alice" }), { "pbx-change-set": open }))
        .body.id;
      expect(
        (await first.post("/v1/users", userBody(lb!, "202", { name: "Bob" }), { "pbx-change-set": applied })).status,
      ).toBe(201);
      expect((await first.post(`/v1/change-sets/${applied}/apply`)).status).toBe(200);
      expect((await first.delete(`/v1/change-sets/${discarded}`)).status).toBe(204);

      await backend.stop();
      backend = await start(store);
      const c = new Client(backend.url, first.token);
      const carol = (await c.post("/v1/users", userBody(lc!, "203", { name: "Carol" }), { "pbx-change-set": open }))
        .body.id;
      expect((await c.get(`/v1/users/${alice}`, { "pbx-change-set": open })).body.name).toBe("Alice");
      for (const closed of [applied, discarded])
        expect((await c.patch(`/v1/users/${alice}`, { name: "x" }, { "pbx-change-set": closed })).body.code).toBe(
          "change-set-closed",
        );
      const answer = await c.post(`/v1/change-sets/${open}/apply`);
      expect(answer.status).toBe(200);
      expect((await c.get("/v1/revisions")).body.at(-1)).toMatchObject({ changeSetId: open, operations: 2 });
      const names = (await c.get("/v1/users")).body.map((u: { id: string; name: string; pending: boolean }) => [
        u.id,
        u.name,
        u.pending,
      ]);
      expect(names).toEqual(
        expect.arrayContaining([
          [alice, "Alice", false],
          [carol, "Carol", false],
        ]),
      );
      expect((await c.patch(`/v1/users/${alice}`, { name: "x" }, { "pbx-change-set": open })).body.code).toBe(
        "change-set-closed",
      );
    } finally {
      await backend.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
