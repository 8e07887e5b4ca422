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
    const moved = (await c.patch(`/v1/devices/${created.id}`, { name: "Desk 2", licenceId: l2 }, { "if-match": '"2"' })).body as DeviceBody;
    expect(moved).toMatchObject({ id: created.id, name: "Desk 2", licenceId: l2, version: 3 });
    const subs = (await c.get("/v1/subscriptions?held=true")).body as { id: string }[];
    expect(subs.map((s) => s.id)).toEqual([l2]);
  });
});

describe("pbx-admin", () => {
  const dir = mkdtempSync(join(tmpdir(), "pbx-admin-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const admin = fileURLToPath(new URL("../../backend/cli/admin.ts", import.meta.url));
  const run = promisify(execFile);

  it("creates an account and prints its token once; the token works against serve", async () => {
    const dataDir = join(dir, "data");
    const out = await run(process.execPath, [admin, "create-account", "--name", "Acme", "--time-zone", "Pacific/Auckland", "--numbers", "+6491234567", "--database", dataDir]);
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
    await expect(run(process.execPath, [admin, "create-account", "--name", "X", "--time-zone", "Mars/Olympus", "--database", join(dir, "other")])).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining("timeZone") as unknown,
    });
  });
});
