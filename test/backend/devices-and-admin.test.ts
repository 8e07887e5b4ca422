// Device credentials and in-place changes; the admin command.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Backend } from "../../backend/server.ts";
import { Client, describeEachStore, newAccount, order, start } from "./harness.ts";
import { exited, spawnServe } from "./processes.ts";

interface DeviceBody {
  id: string;
  version: number;
  name: string;
  licenceId: string;
  sipUsername: string;
  sipPassword?: string;
  passwordFingerprint: string;
}

describeEachStore("devices", (store) => {
  let backend: Backend;
  beforeAll(async () => {
    backend = await start(store);
  });
  afterAll(async () => backend.stop());

  it("rotates the password (shown once), renames and moves to another free licence in place", async () => {
    const c = await newAccount(backend);
    const [l1, l2] = await order(c, [{ product: "sip-device-licence" }, { product: "sip-device-licence" }]);
    const created = (await c.post("/v1/devices", { name: "Desk", licenceId: l1 })).body as DeviceBody;
    const rotated = await c.post(`/v1/devices/${created.id}/rotate-password`, undefined, { "if-match": '"1"' });
    expect(rotated.status).toBe(200);
    const r = rotated.body as DeviceBody;
    expect(r.sipUsername).toBe(created.sipUsername);
    expect(r.sipPassword).not.toBe(created.sipPassword);
    expect(r.passwordFingerprint).not.toBe(created.passwordFingerprint);
    const read = (await c.get(`/v1/devices/${created.id}`)).body as DeviceBody;
    expect(read.sipPassword).toBeUndefined();
    expect(read.passwordFingerprint).toBe(r.passwordFingerprint);
    const moved = (await c.patch(`/v1/devices/${created.id}`, { name: "Desk 2", licenceId: l2 }, { "if-match": '"2"' }))
      .body as DeviceBody;
    expect(moved).toMatchObject({ id: created.id, name: "Desk 2", licenceId: l2, version: 3 });
    const subs = (await c.get("/v1/subscriptions?held=true")).body as { id: string }[];
    expect(subs.map((s) => s.id)).toEqual([l2]);
  });
});

describe("pbx-estate-backend create-account", () => {
  const dir = mkdtempSync(join(tmpdir(), "pbx-admin-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const backendCommand = fileURLToPath(new URL("../../backend/cli/main.ts", import.meta.url));
  const run = promisify(execFile);

  it("creates an account and prints its token once; the token works against serve", async () => {
    const dataDir = join(dir, "data");
    const out = await run(process.execPath, [
      backendCommand,
      "create-account",
      "--name",
      "Acme",
      "--time-zone",
      "Pacific/Auckland",
      "--numbers",
      "+6491234567",
      "--database",
      dataDir,
    ]);
    const { accountId, token } = JSON.parse(out.stdout) as { accountId: string; token: string };
    expect(out.stderr).toContain("shown only now");
    const serve = await spawnServe(["--database", dataDir]);
    try {
      const who = await new Client(serve.url, token).get("/v1/whoami");
      expect(who.body).toEqual({ accountId, name: "Acme", timeZone: "Pacific/Auckland", numbers: ["+6491234567"] });
    } finally {
      serve.child.kill("SIGTERM");
      await exited(serve.child);
    }
  });

  it("refuses an unknown time zone, naming the field", async () => {
    await expect(
      run(process.execPath, [
        backendCommand,
        "create-account",
        "--name",
        "X",
        "--time-zone",
        "Mars/Olympus",
        "--database",
        join(dir, "other"),
      ]),
    ).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining("timeZone") as unknown,
    });
  });
});

describeEachStore("revision snapshot for the registrar", (store) => {
  let backend: Backend;
  beforeAll(async () => {
    backend = await start(store);
  });
  afterAll(async () => backend.stop());

  it("announces each applied revision after commit and snapshots the applied configuration with HA1 for realm pbx-estate", async () => {
    const c = await newAccount(backend);
    const accountId = ((await c.get("/v1/whoami")).body as { accountId: string }).accountId;
    const [ul, dl, ul2] = await order(c, [
      { product: "user-licence", callPlan: "international" },
      { product: "sip-device-licence" },
      { product: "user-licence", callPlan: "international" },
    ]);
    const announced: number[] = [];
    const listener = (e: { accountId: string; revision: number }): void => {
      if (e.accountId === accountId) announced.push(e.revision);
    };
    backend.notifier.events.on("revision", listener);
    const cs = ((await c.post("/v1/change-sets", {})).body as { id: string }).id;
    c.changeSet = cs;
    const device = (await c.post("/v1/devices", { name: "Desk", licenceId: dl })).body as DeviceBody;
    const user = (
      await c.post("/v1/users", {
        name: "John",
        extension: "201",
        licenceId: ul,
        areaPrefix: "020",
        outboundCallerId: "+442079460000",
        recording: { enabled: true, email: "john@example.com", subject: "John's calls" },
      })
    ).body as { id: string };
    await c.post(`/v1/users/${user.id}/devices`, { deviceId: device.id });
    const unrecorded = (
      await c.post("/v1/users", {
        name: "Mary",
        extension: "202",
        licenceId: ul2,
        areaPrefix: "020",
        outboundCallerId: "+442079460000",
      })
    ).body as { id: string };
    // Staged changes are not applied configuration.
    expect((await backend.revisionSnapshot(accountId)).devices).toEqual([]);
    c.changeSet = null;
    const { revision } = (await c.post(`/v1/change-sets/${cs}/apply`)).body as { revision: number };
    backend.notifier.events.off("revision", listener);
    expect(announced).toEqual([revision]);
    const { createHash } = await import("node:crypto");
    expect(await backend.revisionSnapshot(accountId)).toEqual({
      revision,
      devices: [
        {
          sipUsername: device.sipUsername,
          ha1: createHash("md5")
            .update(`${device.sipUsername}:pbx-estate:${device.sipPassword ?? ""}`)
            .digest("hex"),
          userId: user.id,
        },
      ],
      users: [
        {
          id: user.id,
          extension: "201",
          areaPrefix: "020",
          callerId: "+442079460000",
          callPlan: "international",
          recording: { email: "john@example.com", subject: "John's calls" },
        },
        {
          id: unrecorded.id,
          extension: "202",
          areaPrefix: "020",
          callerId: "+442079460000",
          callPlan: "international",
          recording: null,
        },
      ],
    });
  });
});
