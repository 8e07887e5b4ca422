/**
 * Export without a backend: an account's users and devices become an estate file that loads back to the
 * same users, with unique keys and an adoption map naming every existing object.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadEstate } from "../../../estate/files/index.ts";
import { estateFromAccount, type LiveAccount } from "../../../estate/export/from-account.ts";
import { estateYaml } from "../../../estate/export/yaml.ts";
import type { Device } from "../../../schemas/device.ts";
import type { Subscription } from "../../../schemas/subscription.ts";
import type { User } from "../../../schemas/user.ts";

const dir = mkdtempSync(join(tmpdir(), "pbx-export-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const user = (id: string, name: string, extension: string, extra: Partial<User> = {}): User => ({
  id,
  name,
  extension,
  version: 1,
  clientReference: null,
  licenceId: `sub_${id.slice(4)}`,
  callPlan: "national-unlimited",
  areaPrefix: "020",
  outboundCallerId: "+442079460000",
  recording: { enabled: false },
  deviceIds: [],
  live: true,
  pending: false,
  pendingChangeSets: [],
  createdAt: null,
  updatedAt: null,
  ...extra,
});
const device = (id: string, name: string, userId: string | null): Device => ({
  id,
  name,
  version: 1,
  clientReference: null,
  licenceId: `sub_${id.slice(4)}`,
  userId,
  sipUsername: `s${id}`,
  passwordFingerprint: "sha256:00",
  registrar: { host: "127.0.0.1", port: 5060, transport: "udp" },
  live: true,
  pending: false,
  pendingChangeSets: [],
  createdAt: null,
  updatedAt: null,
});

const account: LiveAccount = {
  termsVersion: "2025-01",
  users: [
    user("usr_aaaaaaaaaa", "John Smith", "201", {
      deviceIds: ["dev_aaaaaaaaaa", "dev_bbbbbbbbbb"],
      recording: { enabled: true, email: "rec@example.com", subject: "John" },
    }),
    user("usr_bbbbbbbbbb", "John Smith", "202", { callPlan: "international", areaPrefix: "0161" }),
    user("usr_cccccccccc", "Zoë O'Brien", "030", { outboundCallerId: "+442079460001", deviceIds: ["dev_cccccccccc"] }),
  ],
  devices: [
    device("dev_aaaaaaaaaa", "John's Desk Phone", "usr_aaaaaaaaaa"),
    device("dev_bbbbbbbbbb", "John's Desk Phone", "usr_aaaaaaaaaa"),
    device("dev_cccccccccc", "Softphone", "usr_cccccccccc"),
    device("dev_dddddddddd", "Spare", null),
  ],
  subscriptions: [] as Subscription[],
};

describe("export from an account", () => {
  const exported = estateFromAccount("head-office", account);

  it("writes a file that loads back to the account's users, fields and devices", async () => {
    const file = join(dir, "estate.yaml");
    writeFileSync(file, estateYaml(exported.document, "../schemas/estate.schema.json"));
    const loaded = await loadEstate([file]);
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    const byExtension = new Map(loaded.estate.users.map((u) => [u.extension, u]));
    for (const u of account.users) {
      const back = byExtension.get(u.extension);
      expect(back).toMatchObject({
        name: u.name,
        callPlan: u.callPlan,
        areaPrefix: u.areaPrefix,
        outboundCallerId: u.outboundCallerId,
        recording: u.recording,
      });
      expect(back?.devices.map((d) => d.name)).toEqual(
        u.deviceIds.map((id) => account.devices.find((d) => d.id === id)?.name),
      );
    }
    expect(loaded.estate.acceptTerms).toBe("2025-01");
  });

  it("gives same-named users and devices distinct keys, and maps every key to the objects it adopts", () => {
    expect(Object.keys(exported.adoption.users).sort()).toEqual(["john-smith", "john-smith-2", "zoe-obrien"]);
    expect(Object.keys(exported.adoption.devices).sort()).toEqual([
      "johns-desk-phone",
      "johns-desk-phone-2",
      "softphone",
    ]);
    expect(exported.adoption.users["john-smith"]).toEqual({ user: "usr_aaaaaaaaaa", licence: "sub_aaaaaaaaaa" });
    expect(exported.adoption.devices.softphone).toEqual({ device: "dev_cccccccccc", licence: "sub_cccccccccc" });
  });

  it("names what it could not export: a device linked to no user", () => {
    expect(exported.skipped).toEqual([expect.stringContaining("dev_dddddddddd")]);
  });

  it("moves values most users share into the defaults", () => {
    expect(exported.document.spec.defaults).toEqual({
      callPlan: "national-unlimited",
      areaPrefix: "020",
      outboundCallerId: "+442079460000",
    });
    expect(exported.document.spec.users?.find((u) => u.extension === "202")).toMatchObject({
      callPlan: "international",
      areaPrefix: "0161",
    });
  });
});
